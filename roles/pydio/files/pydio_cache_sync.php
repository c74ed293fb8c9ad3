<?php
// scaleout.pydio: keep this web node's Pydio plugin cache in step with the
// cluster's settings.
//
// Pydio caches every plugin with its settings per node, in AJXP_CACHE_DIR
// (plugins_cache.ser, plugins_requires.ser, ...), and re-reads its settings
// only when that cache is rebuilt. A setting saved on one node (the admin's
// "edit plugin options", or the role) clears that node's cache alone
// (ConfService::clearAllCaches). This script takes a digest of what the
// settings are built from, the rows of ajxp_plugin_configs and bootstrap.json,
// and when it differs from the one this node last saw, clears this node's
// caches with the file-cache half of Pydio's own ConfService::clearAllCaches
// (PluginsService::clearPluginsCache, LocaleService::clearMessagesCache); the
// other half, a shared cache driver and opcache, are not used here (core.cache
// is empty in bootstrap.json) or not this process's.
//
//   php pydio_cache_sync.php PYDIO_DIR [SECONDS]
// Once, or every SECONDS until stopped (the scaleout-pydio-cache-sync service).
// Run it as the web server's user. Prints "cleared" or "current" once, and a
// line each time it clears in the loop.
if (PHP_SAPI !== "cli" || $argc < 2 || $argc > 3 || ($argc === 3 && (int)$argv[2] < 1)) {
    fwrite(STDERR, "usage: php pydio_cache_sync.php PYDIO_DIR [SECONDS]\n");
    exit(2);
}
$root = rtrim($argv[1], "/");
$every = $argc === 3 ? (int)$argv[2] : 0;

chdir($root);
require_once $root . "/base.conf.php";

use Pydio\Core\PluginFramework\PluginsService;
use Pydio\Core\Services\ApplicationState;
use Pydio\Core\Services\LocaleService;

$digestFile = AJXP_CACHE_DIR . "/scaleout_settings.digest";
$bootstrap = AJXP_DATA_PATH . "/plugins/boot.conf/bootstrap.json";

// The digest of the settings, or null when they cannot be read (not
// installed yet, or the database does not answer: try again later).
function settings_digest($bootstrap)
{
    $text = @file_get_contents($bootstrap);
    $boot = $text === false ? null : json_decode($text, true);
    if (!isset($boot["core.conf"]["DIBI_PRECONFIGURATION"])) {
        return null;
    }
    $dibi = $boot["core.conf"]["DIBI_PRECONFIGURATION"];
    $prefix = (isset($dibi["group_switch_value"]) ? $dibi["group_switch_value"] : "mysql") . "_";
    $get = function ($key, $default = null) use ($dibi, $prefix) {
        return isset($dibi[$prefix . $key]) ? $dibi[$prefix . $key] : $default;
    };
    mysqli_report(MYSQLI_REPORT_OFF);
    $db = @new mysqli($get("host"), $get("username"), $get("password"), $get("database"), (int)$get("port", 3306));
    if ($db->connect_errno) {
        return null;
    }
    $result = $db->query("SELECT id, MD5(configs) FROM ajxp_plugin_configs ORDER BY id");
    if ($result === false) {
        $db->close();
        return null;
    }
    $hash = hash_init("sha256");
    hash_update($hash, $text);
    while ($row = $result->fetch_row()) {
        hash_update($hash, "\n" . $row[0] . ":" . $row[1]);
    }
    $db->close();
    return hash_final($hash);
}

function sync($bootstrap, $digestFile)
{
    if (ApplicationState::detectApplicationFirstRun()) {
        return "not installed";
    }
    $digest = settings_digest($bootstrap);
    if ($digest === null) {
        return "unreadable";
    }
    if (@file_get_contents($digestFile) === $digest) {
        return "current";
    }
    PluginsService::clearPluginsCache();
    LocaleService::clearMessagesCache();
    file_put_contents($digestFile . ".new", $digest);
    rename($digestFile . ".new", $digestFile);
    return "cleared";
}

if ($every === 0) {
    $outcome = sync($bootstrap, $digestFile);
    echo $outcome . "\n";
    exit($outcome === "unreadable" ? 1 : 0);
}
while (true) {
    $outcome = sync($bootstrap, $digestFile);
    if ($outcome === "cleared") {
        echo "settings changed: cleared this node's plugin cache\n";
    }
    sleep($every);
}
