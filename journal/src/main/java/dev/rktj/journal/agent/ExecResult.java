package dev.rktj.journal.agent;

/**
 * Owns the outcome of a command the agent ran for a client: what the client exits with and prints.
 *
 * @param exitCode the command's exit status
 * @param stdout bytes for the client's standard output
 * @param stderr bytes for the client's standard error
 */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr) {

    public ExecResult {
        stdout = stdout == null ? new byte[0] : stdout;
        stderr = stderr == null ? new byte[0] : stderr;
    }
}
