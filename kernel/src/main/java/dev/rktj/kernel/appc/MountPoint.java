package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A place in the app's filesystem where a pod volume is expected; {@code readOnly} null means false. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MountPoint(String name, String path, Boolean readOnly) {}
