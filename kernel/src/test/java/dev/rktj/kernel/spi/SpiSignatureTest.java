package dev.rktj.kernel.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pf4j.ExtensionPoint;

/**
 * Keeps the SPI self-contained: a third-party plugin compiles against {@code dev.rktj.kernel.spi}
 * and the JDK alone (plus PF4J's marker {@link ExtensionPoint}), so no kernel or library type may
 * appear in a public signature.
 */
class SpiSignatureTest {

    private static final String SPI_PACKAGE = Stage1.class.getPackageName();

    @Test
    void publicSignatures_mentionOnlyJdkAndSpiTypes() throws Exception {
        List<Class<?>> types = publicSpiTypes();
        assertTrue(types.size() >= 15, "found only " + types);

        Set<String> violations = new TreeSet<>();
        for (Class<?> type : types) {
            violations.addAll(violationsOf(type));
        }
        assertEquals(Set.of(), violations);
    }

    @Test
    void violationsOf_foreignTypeInAGenericParameter_isReported() {
        assertEquals(Set.of("dev.rktj.kernel.spi.SpiSignatureTest$Leaky.plugins returns org.pf4j.PluginWrapper"),
                violationsOf(Leaky.class));
    }

    /** A type that must fail the check: it leaks PF4J's PluginWrapper through a List. */
    public interface Leaky extends ExtensionPoint {
        List<? extends org.pf4j.PluginWrapper> plugins(Stage1 stage1) throws Stage1Exception;
    }

    static Set<String> violationsOf(Class<?> type) {
        Set<String> violations = new TreeSet<>();
        Set<Type> seen = new HashSet<>();
        String where = type.getName();
        Type superclass = type.getGenericSuperclass();
        if (superclass != null) {
            check(superclass, where + " extends", violations, seen);
        }
        for (Type implemented : type.getGenericInterfaces()) {
            check(implemented, where + " implements", violations, seen);
        }
        for (TypeVariable<?> variable : type.getTypeParameters()) {
            check(variable, where + " type parameter", violations, seen);
        }
        if (type.isRecord()) {
            for (RecordComponent component : type.getRecordComponents()) {
                check(component.getGenericType(), where + " component " + component.getName(), violations, seen);
            }
        }
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            if (isVisible(constructor.getModifiers())) {
                checkExecutable(constructor, where + ".<init>", violations, seen);
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            if (isVisible(method.getModifiers()) && !method.isSynthetic()) {
                checkExecutable(method, where + "." + method.getName(), violations, seen);
            }
        }
        for (Field field : type.getDeclaredFields()) {
            if (isVisible(field.getModifiers()) && !field.isSynthetic()) {
                check(field.getGenericType(), where + "." + field.getName(), violations, seen);
            }
        }
        return violations;
    }

    private static void checkExecutable(Executable executable, String where, Set<String> violations, Set<Type> seen) {
        if (executable instanceof Method method) {
            check(method.getGenericReturnType(), where + " returns", violations, seen);
        }
        for (Type parameter : executable.getGenericParameterTypes()) {
            check(parameter, where + " takes", violations, seen);
        }
        for (Type thrown : executable.getGenericExceptionTypes()) {
            check(thrown, where + " throws", violations, seen);
        }
        for (TypeVariable<?> variable : executable.getTypeParameters()) {
            check(variable, where + " type parameter", violations, seen);
        }
    }

    private static void check(Type type, String where, Set<String> violations, Set<Type> seen) {
        if (type instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (!c.isPrimitive() && !allowed(c)) {
                violations.add(where + " " + c.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            check(p.getRawType(), where, violations, seen);
            for (Type argument : p.getActualTypeArguments()) {
                check(argument, where, violations, seen);
            }
        } else if (type instanceof GenericArrayType a) {
            check(a.getGenericComponentType(), where, violations, seen);
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                check(bound, where, violations, seen);
            }
            for (Type bound : w.getLowerBounds()) {
                check(bound, where, violations, seen);
            }
        } else if (type instanceof TypeVariable<?> v && seen.add(v)) {
            // seen: a bound may mention the variable itself (T extends Comparable<T>)
            for (Type bound : v.getBounds()) {
                check(bound, where, violations, seen);
            }
        }
    }

    private static boolean allowed(Class<?> c) {
        String name = c.getName();
        return name.startsWith("java.")
                || c.getPackageName().equals(SPI_PACKAGE)
                || c == ExtensionPoint.class;
    }

    private static boolean isVisible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    /** Every public class of the package, nested ones included, read from where Stage1 was loaded. */
    private static List<Class<?>> publicSpiTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(Stage1.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(root)) {
            Path dir = root.resolve(SPI_PACKAGE.replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                files.map(f -> f.getFileName().toString())
                        .filter(n -> n.endsWith(".class") && !n.equals("package-info.class"))
                        .forEach(n -> names.add(SPI_PACKAGE + "." + n.substring(0, n.length() - ".class".length())));
            }
        } else {
            try (JarFile jar = new JarFile(root.toFile())) {
                String prefix = SPI_PACKAGE.replace('.', '/') + "/";
                jar.stream()
                        .map(JarEntry::getName)
                        .filter(n -> n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0)
                        .filter(n -> n.endsWith(".class") && !n.endsWith("package-info.class"))
                        .forEach(n -> names.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
            }
        }
        List<Class<?>> types = new ArrayList<>();
        for (String name : new TreeSet<>(names)) {
            Class<?> c = Class.forName(name, false, Stage1.class.getClassLoader());
            if (Modifier.isPublic(c.getModifiers()) && isPubliclyReachable(c)) {
                types.add(c);
            }
        }
        return types;
    }

    private static boolean isPubliclyReachable(Class<?> c) {
        for (Class<?> outer = c.getEnclosingClass(); outer != null; outer = outer.getEnclosingClass()) {
            if (!Modifier.isPublic(outer.getModifiers())) {
                return false;
            }
        }
        return !c.isAnonymousClass() && !c.isLocalClass();
    }
}
