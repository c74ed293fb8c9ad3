<?php
// scaleout.pydio: set Pydio plugin settings where Pydio reads them, through
// its own conf driver, as the admin's "edit plugin options" does
// (PluginsManager in access.ajxp_conf): load the plugin's stored options,
// change the keys asked for, save them with savePluginConfig (conf.sql:
// ajxp_plugin_configs; conf, auth and cache plugins: bootstrap.json), then
// clear this node's caches. Keys not named are kept. The plugins whose
// settings live in bootstrap.json (conf, auth, cache) are refused: the role
// writes that file itself.
//
// The wanted settings come as JSON on standard input:
//   {"core.ajaxplorer": {"SERVER_URL": "https://...", ...}, ...}
//
//   php pydio_settings.php PYDIO_DIR [--check] < settings.json
// Run it as the web server's user. It prints one JSON object:
//   {"changed": bool, "before": {plugin: {key: value}}, "after": {...}}
// with only the keys asked for; --check changes nothing.
if (PHP_SAPI !== "cli" || $argc < 2 || $argc > 3 || ($argc === 3 && $argv[2] !== "--check")) {
    fwrite(STDERR, "usage: php pydio_settings.php PYDIO_DIR [--check] < settings.json\n");
    exit(2);
}
$root = rtrim($argv[1], "/");
$check = $argc === 3;
$wanted = json_decode(stream_get_contents(STDIN), true);
if (!is_array($wanted)) {
    fwrite(STDERR, "the settings on standard input are not a JSON object\n");
    exit(2);
}
// AbstractConfDriver::pluginUsesBootConf: these read bootstrap.json.
foreach (array_keys($wanted) as $pluginId) {
    if (preg_match('/^(core\.conf|conf\..*|core\.auth|auth\..*|core\.cache|cache\..*)$/', $pluginId)) {
        fwrite(STDERR, "$pluginId keeps its settings in bootstrap.json, not in the conf driver\n");
        exit(2);
    }
}

chdir($root);
require_once $root . "/base.conf.php";

use Pydio\Conf\Sql\SqlConfDriver;
use Pydio\Core\PluginFramework\PluginsService;
use Pydio\Core\Services\ApplicationState;
use Pydio\Core\Services\ConfService;
use Pydio\Core\Services\LocaleService;

if (ApplicationState::detectApplicationFirstRun()) {
    fwrite(STDERR, "Pydio is not installed here yet (its first run has not passed)\n");
    exit(1);
}
// The conf driver comes from this node's plugin cache, which may predate the
// install (then it is the boot loader): start from bootstrap.json.
PluginsService::clearPluginsCache();
LocaleService::clearMessagesCache();
ConfService::init();
ConfService::start();
$conf = ConfService::getConfStorageImpl();
if (!($conf instanceof SqlConfDriver)) {
    fwrite(STDERR, "Pydio's conf driver is " . (is_object($conf) ? get_class($conf) : "missing")
        . ", not conf.sql: check bootstrap.json\n");
    exit(1);
}

$before = array();
$after = array();
$changed = false;
foreach ($wanted as $pluginId => $values) {
    $options = array();
    $conf->_loadPluginConfig($pluginId, $options);
    $dirty = false;
    foreach ($values as $key => $value) {
        $before[$pluginId][$key] = array_key_exists($key, $options) ? $options[$key] : null;
        $after[$pluginId][$key] = $value;
        if (!array_key_exists($key, $options) || $options[$key] !== $value) {
            $options[$key] = $value;
            $dirty = true;
        }
    }
    if ($dirty && !$check) {
        $conf->savePluginConfig($pluginId, $options);
    }
    $changed = $changed || $dirty;
}
if ($changed && !$check) {
    ConfService::clearAllCaches();
}
echo json_encode(array("changed" => $changed, "before" => $before, "after" => $after)) . "\n";
