# stage1 nspawn, inside the container: the end of an app's start chain when a system call filter
# applies (AppScripts). Changes root to the app's rootfs, enters its working directory, becomes its
# user, installs the filter and executes the app with its environment. The filter comes last, so
# it restricts the app and nothing that starts it; setpriv has set the groups and capabilities.
#
# Started with an empty environment (nothing of the image's reaches perl itself) as
#   perl /rkt/exec.pl PRCTL FILTER ROOT WD UID [NAME=VALUE]... -- EXEC...
#   PRCTL   the number of prctl(2) on this architecture
#   FILTER  a classic BPF program (struct sock_filter[]) as libseccomp exports it
#   WD      the working directory inside ROOT
# Loads no module. Exit status: the app's; 127 when it does not exist, 126 when it cannot be run,
# 254 when the app could not be set up.

sub fail {
    print STDERR "stage1 nspawn: $_[0]\n";
    exit 254;
}

fail("usage: exec.pl PRCTL FILTER ROOT WD UID [NAME=VALUE]... -- EXEC...") if @ARGV < 7;
my ($prctl, $filter, $root, $wd, $uid) = splice(@ARGV, 0, 5);
my %env;
while (@ARGV && $ARGV[0] ne '--') {
    my ($name, $value) = split(/=/, shift(@ARGV), 2);
    $env{$name} = $value;
}
shift(@ARGV);
fail("no command to execute") unless @ARGV;

open(my $in, '<:raw', $filter) or fail("cannot read $filter: $!");
my $program = do { local $/; <$in> };
close($in);
fail("$filter is not a BPF program") if length($program) == 0 || length($program) % 8 != 0;

chroot($root) or fail("cannot change root to $root: $!");
chdir($wd) or fail("cannot enter the working directory $wd: $!");
if ($uid != 0) {
    # setreuid: real, effective and saved user together
    ($<, $>) = ($uid, $uid);
    fail("cannot become user $uid: $!") if $< != $uid || $> != $uid;
}

# struct sock_fprog: the number of instructions, then a pointer to them
my $fprog = pack('S x![P] P', length($program) / 8, $program);
# prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ...); without CAP_SYS_ADMIN the kernel first wants
# no_new_privs (PR_SET_NO_NEW_PRIVS), which systemd, and so rkt, implied for such apps
if (syscall($prctl, 22, 2, $fprog) != 0) {
    syscall($prctl, 38, 1, 0, 0, 0) == 0 && syscall($prctl, 22, 2, $fprog) == 0
        or fail("cannot install the system call filter: $!");
}

%ENV = %env;
{ exec { $ARGV[0] } @ARGV; }
my $errno = $! + 0;
print STDERR "stage1 nspawn: cannot execute $ARGV[0]: $!\n";
exit($errno == 2 ? 127 : 126);
