package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A port range an app listens on.
 *
 * @param count how many consecutive ports from {@code port}; null means 1
 * @param socketActivated the executor passes the listening sockets in (sd_listen_fds); null means false
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Port(String name, String protocol, Integer port, Integer count, Boolean socketActivated) {}
