package dev.rktj.kernel.appc;

/**
 * A place in a manifest ({@code app.ports[1].port}) in one document ({@code image manifest}), so
 * that every refusal names the field it is about:
 * {@code image manifest: app.ports[1].port: 70000 is out of range 1-65535}.
 */
record Field(String document, String path) {

    static Field root(String document) {
        return new Field(document, "");
    }

    Field at(String name) {
        return new Field(document, path.isEmpty() ? name : path + "." + name);
    }

    Field at(int index) {
        return new Field(document, path + "[" + index + "]");
    }

    AppcException fail(String problem) {
        return new AppcException(document + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
    }
}
