package dev.rktj.kernel.plugin;

/** A plugin could not be loaded, started or found; the message is one line for the user. */
public class PluginException extends Exception {
    public PluginException(String message) {
        super(message);
    }

    public PluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
