package org.elasticsearch.plugins;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.jdk.ModuleQualifiedExportsService;

/**
 * A plugins service that does not scan modules/ or plugins/ folders: it
 * instantiates plugin classes that are already on the JVM class path.
 *
 * It lives in Elasticsearch's own package only because the record that holds a
 * loaded plugin is package-private there (the launcher runs on the class
 * path, so the package split is allowed).
 */
public class ClasspathPluginsService extends PluginsService {

    private final List<LoadedPlugin> classpathPlugins;

    public ClasspathPluginsService(Settings settings, Path configDir, Collection<Class<? extends Plugin>> pluginClasses) {
        // null folders: nothing is loaded from disk.
        super(settings, configDir, null, null);
        List<LoadedPlugin> loaded = new ArrayList<>();
        for (Class<? extends Plugin> type : pluginClasses) {
            PluginDescriptor descriptor = new PluginDescriptor(
                type.getSimpleName(),           // name
                "class-path plugin " + type.getName(),
                "0.0.0",                        // plugin version
                org.elasticsearch.Build.current().version(),
                "17",                           // java version
                type.getName(),                 // class name
                null,                           // module name
                List.of(),                      // extended plugins
                false, false, false, false);
            loaded.add(new LoadedPlugin(descriptor, instantiate(type, settings, configDir)));
        }
        this.classpathPlugins = List.copyOf(loaded);
    }

    private static Plugin instantiate(Class<? extends Plugin> type, Settings settings, Path configDir) {
        try {
            for (Constructor<?> c : type.getConstructors()) {
                Class<?>[] p = c.getParameterTypes();
                if (p.length == 2 && p[0] == Settings.class && p[1] == Path.class) {
                    return (Plugin) c.newInstance(settings, configDir);
                }
                if (p.length == 1 && p[0] == Settings.class) {
                    return (Plugin) c.newInstance(settings);
                }
            }
            return type.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("plugin " + type.getName() + " failed to construct", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("plugin " + type.getName() + " has no usable public constructor", e);
        }
    }

    /**
     * Elasticsearch's server is an unnamed module on the class path, so there
     * are no qualified module exports to wire up for plugin module layers.
     */
    @Override
    protected void addServerExportsService(Map<String, List<ModuleQualifiedExportsService>> qualifiedExports) {}

    @Override
    protected List<LoadedPlugin> plugins() {
        return classpathPlugins;
    }
}
