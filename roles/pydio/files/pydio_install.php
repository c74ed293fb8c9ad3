<?php
// scaleout.pydio: Pydio 8's installer, unattended.
//
// It does what BootConfLoader::applyInstallerForm does when an admin submits
// the web installer (plugins/boot.conf/BootConfLoader.php in pydio-core), by
// calling the same methods of Pydio in the same order:
//   createBootstrapConf  bootstrap.json (conf, auth and cache drivers), every
//                        plugin's SQL tables and ajxp_version.db_build, and the
//                        log.sql, mq.sql and feed.sql instances;
//   feedPluginsOptions   core.ajaxplorer's title, language and SERVER_URL,
//                        stored through the conf driver (ajxp_plugin_configs);
//   createUsers          the admin, through UsersService::createUser;
//   setAdditionalData    encoding.php, the locale of file names;
// then ConfService::clearAllCaches and ApplicationState::setApplicationFirstRunPassed.
// The .htaccess step is left to the role, which renders .htaccess itself.
//
// The form comes as JSON on standard input, so that no password is on a
// command line:
//   {"admin_login": ..., "admin_password": ..., "admin_name": ..., "title": ...,
//    "language": ..., "welcome": ..., "server_url": ..., "encoding": ...,
//    "database": {"host": ..., "port": ..., "name": ..., "user": ..., "password": ...}}
//
//   php pydio_install.php PYDIO_DIR < form.json
// Run it as the web server's user. It prints "installed", or "already
// installed" when Pydio's first run has passed, and exits 1 with the reason.
if (PHP_SAPI !== "cli" || $argc !== 2) {
    fwrite(STDERR, "usage: php pydio_install.php PYDIO_DIR < form.json\n");
    exit(2);
}
$root = rtrim($argv[1], "/");
$form = json_decode(stream_get_contents(STDIN), true);
foreach (array("admin_login", "admin_password", "admin_name", "title", "language", "welcome", "server_url", "encoding", "database") as $key) {
    if (!isset($form[$key])) {
        fwrite(STDERR, "the install form has no $key\n");
        exit(2);
    }
}
$database = $form["database"];

chdir($root);
require_once $root . "/base.conf.php";

use Pydio\Core\Services\ApplicationState;
use Pydio\Core\Services\ConfService;

if (!ApplicationState::detectApplicationFirstRun()) {
    echo "already installed\n";
    exit(0);
}

// The installer checks the database connection first (boot_test_sql_connexion):
// refuse with the server's own reason rather than leave a half install.
mysqli_report(MYSQLI_REPORT_OFF);
$probe = @new mysqli($database["host"], $database["user"], $database["password"], $database["name"], (int)$database["port"]);
if ($probe->connect_errno) {
    fwrite(STDERR, "the database refuses the Pydio user: " . $probe->connect_error . "\n");
    exit(1);
}
$probe->close();

ConfService::init();
ConfService::start();
$boot = ConfService::getBootConfStorageImpl();

// The values as OptionsHelper::parseStandardFormParameters hands them to
// applyInstallerForm: db_type is the decoded group switch of the form, with
// the hidden mysql_use_mysqli field that selects dibi's mysqli driver.
$data = array(
    "APPLICATION_TITLE" => $form["title"],
    "APPLICATION_WELCOME" => $form["welcome"],
    "APPLICATION_LANGUAGE" => $form["language"],
    "ADMIN_USER_LOGIN" => $form["admin_login"],
    "ADMIN_USER_NAME" => $form["admin_name"],
    "ADMIN_USER_PASS" => $form["admin_password"],
    "ADMIN_USER_PASS2" => $form["admin_password"],
    "SERVER_URL" => $form["server_url"],
    "ENCODING" => $form["encoding"],
    "APC_CACHE_ENABLE" => false,
    "ENABLE_NOTIF" => true,
    "MAILER_ENABLE" => array("status" => "no", "group_switch_value" => "no"),
    "db_type" => array(
        "mysql_driver" => "mysql",
        "mysql_host" => $database["host"],
        "mysql_port" => (string)$database["port"],
        "mysql_database" => $database["name"],
        "mysql_username" => $database["user"],
        "mysql_password" => $database["password"],
        "mysql_use_mysqli" => "true",
        "group_switch_value" => "mysql",
    ),
);

list($conf, $auth, $cache) = $boot->createBootstrapConf($data);
$boot->feedPluginsOptions($conf, $data);
ConfService::setTmpStorageImplementations($conf, $auth, $cache);
$boot->createUsers($data);
$boot->setAdditionalData($data);
ConfService::clearAllCaches();
ApplicationState::setApplicationFirstRunPassed();
echo "installed\n";
