package dev.rktj.kernel;

/**
 * An image must come from a server, and this kernel was told to fetch nothing remote
 * ({@link Kernel#localOnly()}): the caller runs the command where downloads belong instead.
 */
public final class RemoteFetchNeeded extends KernelException {
    public RemoteFetchNeeded(String image) {
        super("image \"" + image + "\" must be fetched from a server, which is not done here");
    }

    /** Whether {@code e} or one of its causes is this. */
    public static boolean in(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof RemoteFetchNeeded) {
                return true;
            }
        }
        return false;
    }
}
