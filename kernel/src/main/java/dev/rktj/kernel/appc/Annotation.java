package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An annotation of an image, pod or pod app: a name (AC Identifier) and a value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Annotation(String name, String value) {}
