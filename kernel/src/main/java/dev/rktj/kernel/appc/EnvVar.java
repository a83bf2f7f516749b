package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One environment variable of an app; no substitution is ever applied to the value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EnvVar(String name, String value) {}
