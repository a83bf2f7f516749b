package dev.rktj.kernel;

/** rkt's {@code --pull-policy}: where an image may come from. */
public enum PullPolicy {
    /** The store first, then remote. */
    NEW,
    /** Remote, even when the store has it. */
    UPDATE,
    /** The store only. */
    NEVER;

    public static PullPolicy parse(String s) throws KernelException {
        return switch (s) {
            case "new" -> NEW;
            case "update" -> UPDATE;
            case "never" -> NEVER;
            default -> throw new KernelException("invalid pull policy \"" + s + "\" (must be new, update or never)");
        };
    }
}
