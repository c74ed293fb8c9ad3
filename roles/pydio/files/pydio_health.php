<?php
// scaleout.pydio: the load balancer's health check of this web node, served at
// <pydio_url_path>/check.txt (the tutorial's URL) by an Alias of the role's
// Apache site, and left out of the access log.
//
// 200 "OK" when the node can serve: Pydio's config and data paths are
// mounted (each on another device than its parent directory) and can be read,
// Pydio's bootstrap.json on the config volume reads back with its database
// settings (core.conf DIBI_PRECONFIGURATION, without which every Pydio request
// fails), and the database accepts the pydio account within the timeout. 503 with a
// line naming what failed otherwise: HAProxy (option log-health-checks) and
// the ALB take the node out of rotation within their check window.
//
// Its settings are a JSON file readable by the web server's user alone
// (it holds the database password); it never prints the password.
header("Content-Type: text/plain");
header("Cache-Control: no-store");

function scaleout_health_fail(string $why): void
{
    http_response_code(503);
    echo "FAIL " . $why . "\n";
    exit;
}

$settings = json_decode((string)@file_get_contents("/etc/scaleout-pydio/health.json"), true);
if (!is_array($settings)) {
    scaleout_health_fail("the health check's settings cannot be read");
}

foreach ($settings["mounts"] as $path) {
    clearstatcache();
    $here = @stat($path);
    $parent = @stat(dirname($path));
    if ($here === false || $parent === false) {
        scaleout_health_fail($path . " cannot be read");
    }
    if ($here["dev"] === $parent["dev"]) {
        scaleout_health_fail($path . " is not mounted");
    }
    if (@scandir($path) === false) {
        scaleout_health_fail($path . " cannot be listed");
    }
}

// Read as Pydio reads it on every request (FileHelper::loadSerialFile): a file
// that is missing, empty, torn or without the database settings fails here.
// (Settings written before this check existed have no "bootstrap" path.)
if (isset($settings["bootstrap"])) {
    $bootstrap = json_decode((string)@file_get_contents($settings["bootstrap"]), true);
    if (!is_array($bootstrap) || !is_array($bootstrap["core.conf"]["DIBI_PRECONFIGURATION"] ?? null)) {
        scaleout_health_fail($settings["bootstrap"] . " cannot be read or holds no database settings");
    }
    unset($bootstrap);
}

mysqli_report(MYSQLI_REPORT_OFF);
$db = mysqli_init();
mysqli_options($db, MYSQLI_OPT_CONNECT_TIMEOUT, (int)$settings["db_timeout"]);
if (!@mysqli_real_connect(
    $db,
    $settings["db_host"],
    $settings["db_user"],
    $settings["db_password"],
    $settings["db_name"],
    (int)$settings["db_port"]
)) {
    scaleout_health_fail("the database does not accept this node (error " . mysqli_connect_errno() . ")");
}
mysqli_close($db);
echo "OK\n";
