package org.elasticsearch.node;

import java.util.Collection;
import java.util.List;

import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsService;

/**
 * An Elasticsearch node whose plugins are given as classes on the class path
 * instead of being read from a distribution's modules/ folder. Placed in
 * Elasticsearch's package because the node's construction hooks are
 * package-private.
 */
public class ClasspathNode extends Node {

    public ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> pluginClasses) {
        super(NodeConstruction.prepareConstruction(environment, new Services(List.copyOf(pluginClasses)), true));
    }

    private static final class Services extends NodeServiceProvider {
        private final List<Class<? extends Plugin>> pluginClasses;

        Services(List<Class<? extends Plugin>> pluginClasses) {
            this.pluginClasses = pluginClasses;
        }

        @Override
        PluginsService newPluginService(Environment environment, Settings settings) {
            return new ClasspathPluginsService(settings, environment.configFile(), pluginClasses);
        }
    }
}
