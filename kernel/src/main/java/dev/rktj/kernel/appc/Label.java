package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A label of an image: a name (AC Identifier) and a value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Label(String name, String value) {}
