/**
 * The journal agent: one long-lived process per data directory that owns the Chronicle queue and
 * answers thin commands over a unix-domain socket ({@code <dataDir>/journal/agent.sock}).
 * {@link dev.rktj.journal.agent.AgentClient} and what it needs ({@code Protocol},
 * {@link dev.rktj.journal.agent.ExecResult}, the exceptions) use JDK classes only, so that a
 * command which only pings or execs never loads Jackson or Chronicle.
 */
package dev.rktj.journal.agent;
