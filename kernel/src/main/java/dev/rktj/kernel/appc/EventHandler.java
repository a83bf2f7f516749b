package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A lifecycle hook of an app: {@code pre-start} or {@code post-stop}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventHandler(String name, List<String> exec) {
    public EventHandler {
        exec = Copies.list(exec);
    }
}
