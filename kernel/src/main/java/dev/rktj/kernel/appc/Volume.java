package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A pod volume: {@code host} (a bind mount of {@code source}) or {@code empty} (a fresh directory
 * with {@code mode}, {@code uid}, {@code gid}, defaulting to "0755", 0, 0).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Volume(
        String name,
        String kind,
        String source,
        Boolean readOnly,
        Boolean recursive,
        String mode,
        Integer uid,
        Integer gid) {}
