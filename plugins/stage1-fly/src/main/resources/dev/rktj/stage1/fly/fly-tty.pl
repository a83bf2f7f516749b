# stage1 fly: the terminal of an interactive pod. The app gets a pseudo-terminal of its own and
# this script relays between it and the user's terminal, so that ^] pressed three times within a
# second kills the pod, as systemd-nspawn lets one kill a stage1 nspawn pod. (rkt's fly handed the
# app the user's terminal itself, where nothing could watch for the keys.) Loads no module: perl-base
# alone, a few milliseconds to start.
#
# Started by FlyStage1, for interactive pods only, as
#   perl fly-tty.pl POD_DIR -- COMMAND...
# where COMMAND is the rest of fly's chain (flock ... fly-run.sh ...). With no terminal on stdin
# this script simply becomes COMMAND. Otherwise COMMAND runs with the pseudo-terminal as stdin,
# stdout and stderr and RKTJ_FLY_TTY=1, which makes fly-run.sh start the app as the leader of a
# session of its own with that terminal: ^C and ^Z reach the app, not the chain above it.
#
# Exit status: COMMAND's (128+N when signal N ended it); 254 when the terminal could not be set up.

my $pod_dir = shift(@ARGV);
my $separator = shift(@ARGV);
if (!defined($separator) || $separator ne '--' || !@ARGV) {
    print STDERR "stage1 fly: usage: fly-tty.pl POD_DIR -- COMMAND...\n";
    exit 254;
}
if (!-t STDIN) {
    exec { $ARGV[0] } @ARGV;
    print STDERR "stage1 fly: cannot execute $ARGV[0]: $!\n";
    exit 254;
}

# ioctls and termios bits of Linux's generic tty interface (the same on x86_64 and aarch64)
my ($TCGETS, $TCSETS, $TIOCGWINSZ, $TIOCSWINSZ) = (0x5401, 0x5402, 0x5413, 0x5414);
my ($TIOCGPTN, $TIOCSPTLCK) = (0x80045430, 0x40045431);
my $ESCAPE = "\x1d";

my $saved = "\0" x 64;    # the kernel's struct termios: 36 bytes
my $terminal_raw = 0;

sub restore {
    ioctl(STDIN, $TCSETS, $saved) if $terminal_raw;
    $terminal_raw = 0;
}

sub fail {
    restore();
    print STDERR "stage1 fly: $_[0]\n";
    exit 254;
}

ioctl(STDIN, $TCGETS, $saved) or fail("cannot read the terminal's settings: $!");

open(my $master, '+<', '/dev/ptmx') or fail("cannot open a pseudo-terminal: $!");
my $unlock = pack('i', 0);
ioctl($master, $TIOCSPTLCK, $unlock) or fail("cannot unlock the pseudo-terminal: $!");
my $number = pack('i', 0);
ioctl($master, $TIOCGPTN, $number) or fail("cannot name the pseudo-terminal: $!");
my $slave_path = '/dev/pts/' . unpack('i', $number);
open(my $slave, '+<', $slave_path) or fail("cannot open $slave_path: $!");
# the app's terminal starts as the user's: same modes, same size
ioctl($slave, $TCSETS, $saved) or fail("cannot set up $slave_path: $!");

sub copy_size {
    my $size = "\0" x 8;
    ioctl($master, $TIOCSWINSZ, $size) if ioctl(STDIN, $TIOCGWINSZ, $size);
}
copy_size();

my $pid = fork();
fail("cannot fork: $!") unless defined($pid);
if ($pid == 0) {
    open(STDIN, '<&', $slave) && open(STDOUT, '>&', $slave) && open(STDERR, '>&', $slave) or exit 254;
    $ENV{RKTJ_FLY_TTY} = '1';
    exec { $ARGV[0] } @ARGV;
    print STDERR "stage1 fly: cannot execute $ARGV[0]: $!\n";
    exit 254;
}
close($slave);

# cfmakeraw(3) on the user's terminal: every key comes here as it is pressed, unechoed
my ($iflag, $oflag, $cflag, $lflag, $rest) = unpack('L L L L a*', $saved);
my @cc = unpack('C*', $rest);    # c_line, then c_cc[]
$iflag &= ~(01 | 02 | 010 | 040 | 0100 | 0200 | 0400 | 02000);    # IGNBRK BRKINT PARMRK ISTRIP INLCR IGNCR ICRNL IXON
$oflag &= ~01;                                                     # OPOST
$lflag &= ~(01 | 02 | 010 | 0100 | 0100000);                       # ISIG ICANON ECHO ECHONL IEXTEN
$cflag = ($cflag & ~(060 | 0400)) | 060;                           # CSIZE PARENB; CS8
($cc[1 + 5], $cc[1 + 6]) = (0, 1);                                 # VTIME 0, VMIN 1
my $raw = pack('L L L L', $iflag, $oflag, $cflag, $lflag) . pack('C*', @cc);
$terminal_raw = 1;
ioctl(STDIN, $TCSETS, $raw) or fail("cannot put the terminal in raw mode: $!");

$SIG{WINCH} = \&copy_size;
# the user's terminal or rkt went away: give the terminal back; the app sees its own hang up
$SIG{$_} = sub { restore(); exit 129 } for qw(HUP TERM);

# Seconds since boot, to a hundredth: /proc/uptime, as perl-base has no finer clock.
sub now {
    open(my $uptime, '<', '/proc/uptime') or return time();
    my ($seconds) = split(' ', scalar(<$uptime>));
    return $seconds;
}

# Pids of the processes below $root (their parent, its parent ... is $root), from /proc.
sub descendants {
    my ($root) = @_;
    my %children;
    opendir(my $proc, '/proc') or return ();
    for my $p (grep { /^\d+$/ } readdir($proc)) {
        open(my $stat, '<', "/proc/$p/stat") or next;
        my $line = <$stat>;
        next unless defined($line) && $line =~ /\)\s+\S+\s+(\d+)/;
        push(@{$children{$1}}, $p);
    }
    my @found;
    my @todo = ($root);
    while (@todo) {
        my $parent = shift(@todo);
        for my $child (@{$children{$parent} || []}) {
            push(@found, $child);
            push(@todo, $child);
        }
    }
    return @found;
}

# As `rkt stop --force` does: SIGKILL to the app and everything below it (the only child of the
# shell named by ppid), whose exit fly-run.sh then records; before the app runs, to the whole chain.
sub kill_pod {
    my $targets = 0;
    for (1 .. 3) {
        my @pids;
        if (open(my $ppid, '<', "$pod_dir/ppid")) {
            my $shell = <$ppid>;
            @pids = descendants($1) if defined($shell) && $shell =~ /^(\d+)/;
        } else {
            @pids = ($pid, descendants($pid));
        }
        $targets += kill('KILL', @pids);
    }
    return $targets;
}

my ($stdin_open, $master_open, $status) = (1, 1, undef);
my @presses;
while (1) {
    my $readable = '';
    vec($readable, fileno(STDIN), 1) = 1 if $stdin_open;
    vec($readable, fileno($master), 1) = 1 if $master_open;
    my $ready = select(my $out = $readable, undef, undef, defined($status) ? 0.1 : 0.5);
    if ($ready > 0 && $stdin_open && vec($out, fileno(STDIN), 1)) {
        my $read = sysread(STDIN, my $keys, 4096);
        if (!$read) {
            $stdin_open = 0;
        } else {
            for my $key (split(//, $keys)) {
                if ($key ne $ESCAPE) {
                    @presses = ();
                    next;
                }
                push(@presses, now());
                shift(@presses) while @presses > 3;
                if (@presses == 3 && $presses[2] - $presses[0] <= 1) {
                    restore();
                    $stdin_open = 0;
                    kill_pod();
                    print STDERR "stage1 fly: ^] pressed three times within 1s: pod killed\n";
                    last;
                }
            }
            syswrite($master, $keys) if $stdin_open;
        }
    }
    if ($ready > 0 && $master_open && vec($out, fileno($master), 1)) {
        my $read = sysread($master, my $output, 65536);
        if ($read) {
            syswrite(STDOUT, $output);
        } else {
            $master_open = 0;    # EIO: nothing holds the app's terminal any more
        }
    }
    if (!defined($status) && waitpid($pid, 1) == $pid) {
        $status = $?;
    }
    # done once the chain has ended and its terminal is drained (or quiet, if a leftover holds it)
    last if defined($status) && (!$master_open || $ready == 0);
}
restore();
exit($status & 127 ? 128 + ($status & 127) : $status >> 8);
