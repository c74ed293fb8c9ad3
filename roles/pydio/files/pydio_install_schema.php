<?php
// scaleout.pydio: create the SQL tables of Pydio's plugins, as Pydio's
// installer does for a MySQL install. Pydio runs each plugin's create.mysql
// (DBHelper::runCreateTablesQuery); this loader reads the same files the same
// way: sections split on "/** SEPARATOR **/", a section whose first line is
// "/** BLOCK **/" run as one statement, other sections split on ";" with a
// part holding BEGIN joined to the next one. Objects that already exist are
// skipped, so an interrupted install can run again.
//
//   php install_schema.php BOOTSTRAP_JSON PYDIO_DIR
if ($argc !== 3) {
    fwrite(STDERR, "usage: php install_schema.php BOOTSTRAP_JSON PYDIO_DIR\n");
    exit(2);
}
list(, $bootstrapPath, $pydioDir) = $argv;

$boot = json_decode((string)@file_get_contents($bootstrapPath), true);
if (!isset($boot["core.conf"]["DIBI_PRECONFIGURATION"]["group_switch_value"])) {
    fwrite(STDERR, "$bootstrapPath has no core.conf/DIBI_PRECONFIGURATION\n");
    exit(1);
}
$dibi = $boot["core.conf"]["DIBI_PRECONFIGURATION"];
$prefix = $dibi["group_switch_value"] . "_";
$param = function ($key, $default = null) use ($dibi, $prefix) {
    return isset($dibi[$prefix . $key]) ? $dibi[$prefix . $key] : $default;
};

mysqli_report(MYSQLI_REPORT_OFF);
$db = @new mysqli($param("host"), $param("username"), $param("password"), $param("database"), (int)$param("port", 3306));
if ($db->connect_errno) {
    fwrite(STDERR, "cannot connect to the database: " . $db->connect_error . "\n");
    exit(1);
}

function statements($sql)
{
    $all = array();
    foreach (explode("/** SEPARATOR **/", $sql) as $section) {
        $lines = explode("\n", trim($section));
        if (trim($lines[0]) === "/** BLOCK **/") {
            $all[] = rtrim(trim($section), ";");
            continue;
        }
        $parts = explode(";", $section);
        for ($i = 0; $i < count($parts); $i++) {
            if (strpos($parts[$i], "BEGIN") !== false && isset($parts[$i + 1])) {
                $parts[$i] .= ";" . $parts[$i + 1];
                array_splice($parts, $i + 1, 1);
            }
            $all[] = $parts[$i];
        }
    }
    return array_values(array_filter(array_map("trim", $all), "strlen"));
}

// Table, trigger, index or key that exists already.
$alreadyThere = array(1050, 1060, 1061, 1359);
$files = glob(rtrim($pydioDir, "/") . "/plugins/*/create.mysql");
sort($files);
$failed = 0;
foreach ($files as $file) {
    $done = 0;
    foreach (statements(file_get_contents($file)) as $statement) {
        if ($db->query($statement) === false && !in_array($db->errno, $alreadyThere, true)) {
            fwrite(STDERR, "$file: error " . $db->errno . ": " . $db->error . "\n");
            $failed++;
            continue;
        }
        $done++;
    }
    echo "loaded $file ($done statements)\n";
}
exit($failed > 0 ? 1 : 0);
