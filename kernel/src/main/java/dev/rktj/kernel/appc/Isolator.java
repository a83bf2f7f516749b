package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/** A resource or security constraint: its name (AC Identifier) and a value whose shape the name decides. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Isolator(String name, JsonNode value) {}
