#!/usr/bin/env bash
# A real WordPress on loopback for the blog connector's tests, without Apache, systemd or Docker
# (FIXTURES.md "A real WordPress on loopback").
#
#   infra/wordpress.sh install   apt-get install wordpress, MariaDB and PHP if missing
#   infra/wordpress.sh start     MariaDB on 127.0.0.1:$WP_DB_PORT (data in .state/wordpress/mariadb), a private copy
#                                of Debian's WordPress in .state/wordpress/site served by PHP's built-in server on
#                                127.0.0.1:$WP_HTTP_PORT; installs the blog on first start and writes an application
#                                password to .state/wordpress/credentials.env (WP_URL, WP_USER, WP_APP_PASSWORD)
#   infra/wordpress.sh stop      stop PHP (workers, then master) and MariaDB (fine if not running)
#   infra/wordpress.sh status    exit 0 if the blog answers its REST API, 3 if not
#   infra/wordpress.sh demo-content
#                                once: a "Sports day" post with three comments held for moderation, for the demo
#                                (infra/run.sh), so the blog's queue has something in it
#
# MariaDB runs as the `mysql` user and PHP as `www-data`; nothing in /etc/wordpress, /etc/mysql or /var/lib is read
# or written. Settings: infra/env.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=wordpress

W="$STATE/wordpress"
DB_DIR="$W/mariadb"
DB_DATA="$DB_DIR/db"
DB_RUN="$DB_DIR/run"
DB_SOCKET="$DB_RUN/mysqld.sock"
DB_PIDFILE="$DB_RUN/mysqld.pid"
SITE="$W/site"
LOGDIR="$W/log"
PHP_PIDFILE="$W/php.pid"
CREDENTIALS="$W/credentials.env"
WP_PACKAGE_DIR=/usr/share/wordpress
WP_URL_HERE="http://127.0.0.1:$WP_HTTP_PORT"
# The blog's own database account; it listens on loopback only and holds nothing but test comments.
WP_DB_NAME=wordpress
WP_DB_USER=wordpress
WP_DB_PASSWORD=wordpress
WP_ADMIN=admin
START_TIMEOUT="${WP_START_TIMEOUT:-60}"

wp_installed() {
  [[ -f "$WP_PACKAGE_DIR/wp-settings.php" ]] && command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null \
    && command -v php >/dev/null && php -r 'exit(extension_loaded("mysqli") ? 0 : 1);' 2>/dev/null
}

cmd_install() {
  require_root
  if wp_installed; then
    log "already installed (WordPress $(package_version), $(mariadbd --version | awk '{print $3}'), PHP $(php -r 'echo PHP_VERSION;'))"
  else
    apt_install wordpress mariadb-server php-cli php-mysql
    wp_installed || die "WordPress, MariaDB or PHP still missing after install"
    log "installed (WordPress $(package_version))"
  fi
  id mysql >/dev/null 2>&1 || die "the 'mysql' user does not exist (the Debian package creates it)"
  id www-data >/dev/null 2>&1 || die "the 'www-data' user does not exist"
}

package_version() { dpkg-query -W -f '${Version}' wordpress 2>/dev/null || echo unknown; }

db_cli() { mariadb --no-defaults --socket="$DB_SOCKET" -uroot "$@"; }
db_ping() { mariadb-admin --no-defaults --socket="$DB_SOCKET" -uroot ping >/dev/null 2>&1; }

# pidfile_pid FILE NAME : the PID in FILE if that process is alive and is NAME, else nothing.
pidfile_pid() {
  local pid
  pid="$(cat "$1" 2>/dev/null || true)"
  if pid_alive "$pid" && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]]; then
    echo "$pid"
  fi
  return 0
}

db_pid() { pidfile_pid "$DB_PIDFILE" mariadbd; }
php_pid() { pidfile_pid "$PHP_PIDFILE" php; }

# wait_for WHAT LOG CHECK... : run CHECK until it succeeds, or give up after START_TIMEOUT.
wait_for() {
  local what="$1" logfile="$2"; shift 2
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$@"; do
    if (( SECONDS >= deadline )); then
      tail_log "$logfile"
      die "$what not ready after ${START_TIMEOUT}s"
    fi
    sleep 0.2
  done
}

start_mariadb() {
  mkdir -p "$DB_DIR" "$DB_RUN"
  chown mysql:mysql "$DB_RUN"
  chmod 755 "$DB_DIR"
  ensure_traversable mysql "$DB_DIR"
  if [[ ! -d "$DB_DATA/mysql" ]]; then
    rm -rf "$DB_DATA"
    log "mariadb-install-db into $DB_DATA"
    mariadb-install-db --no-defaults --datadir="$DB_DATA" --user=mysql --auth-root-authentication-method=socket \
        --skip-test-db >"$LOGDIR/mariadb-install-db.log" 2>&1 9>&- \
      || { tail_log "$LOGDIR/mariadb-install-db.log"; die "mariadb-install-db failed"; }
  fi

  local pid; pid="$(db_pid)"
  if [[ -n "$pid" ]]; then
    log "MariaDB already running (PID $pid)"
  else
    port_open "$WP_DB_PORT" && die "port 127.0.0.1:$WP_DB_PORT is already in use by another process (set WP_DB_PORT to use another port)"
    rm -f "$DB_PIDFILE" "$DB_SOCKET"
    log "starting MariaDB on 127.0.0.1:$WP_DB_PORT (log: $LOGDIR/mariadb.log)"
    # --no-defaults first, or /etc/mysql applies. The shell opens the log, so mariadbd needs no root-owned file.
    (cd "$DB_DIR" && exec setsid mariadbd --no-defaults --user=mysql --datadir="$DB_DATA" --port="$WP_DB_PORT" \
        --bind-address=127.0.0.1 --socket="$DB_SOCKET" --pid-file="$DB_PIDFILE" --skip-name-resolve \
        --innodb-buffer-pool-size=64M --performance-schema=OFF --skip-log-bin \
        >>"$LOGDIR/mariadb.log" 2>&1 </dev/null 9>&-) &
  fi
  wait_for "MariaDB" "$LOGDIR/mariadb.log" db_ping
  db_cli <<SQL
CREATE DATABASE IF NOT EXISTS \`$WP_DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$WP_DB_USER'@'127.0.0.1' IDENTIFIED BY '$WP_DB_PASSWORD';
CREATE USER IF NOT EXISTS '$WP_DB_USER'@'localhost' IDENTIFIED BY '$WP_DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`$WP_DB_NAME\`.* TO '$WP_DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`$WP_DB_NAME\`.* TO '$WP_DB_USER'@'localhost';
SQL
}

# A private copy of the package's files: Debian's own wp-config.php only dispatches to /etc/wordpress/config-<host>.php.
# Copied again when the package is upgraded; uploads survive in wp-content.
copy_site() {
  local version; version="$(package_version)"
  if [[ -f "$SITE/wp-settings.php" && "$(cat "$SITE/.debian-version" 2>/dev/null || true)" == "$version" ]]; then
    return 0
  fi
  log "copying WordPress $version from $WP_PACKAGE_DIR to $SITE"
  mkdir -p "$SITE"
  cp -a "$WP_PACKAGE_DIR/." "$SITE/"
  rm -f "$SITE/wp-config.php" "$SITE/.htaccess"
  mkdir -p "$SITE/wp-content/uploads"
  chown -R www-data:www-data "$SITE/wp-content"
  echo "$version" > "$SITE/.debian-version"
}

random_secret() { head -c 48 /dev/urandom | base64 | tr -d '\n/+='; }

write_config() {
  local salts="$SITE/wp-salts.php" key
  if [[ ! -f "$salts" ]]; then
    {
      echo '<?php'
      for key in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
        echo "define('$key', '$(random_secret)');"
      done
    } > "$salts"
  fi
  # Rewritten on every start, so that a changed port applies (WP_HOME overrides the address stored at install).
  cat > "$SITE/wp-config.php" <<PHP
<?php
// Written by infra/wordpress.sh on every start; edit the script, not this file.
define('DB_NAME', '$WP_DB_NAME');
define('DB_USER', '$WP_DB_USER');
define('DB_PASSWORD', '$WP_DB_PASSWORD');
define('DB_HOST', '127.0.0.1:$WP_DB_PORT');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', '$WP_URL_HERE');
define('WP_SITEURL', '$WP_URL_HERE');
// Application passwords over plain HTTP need a local environment.
define('WP_ENVIRONMENT_TYPE', 'local');
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('FS_METHOD', 'direct');
define('WP_DEBUG', false);
require_once __DIR__ . '/wp-salts.php';
\$table_prefix = 'wp_';
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
PHP
  chown root:www-data "$SITE/wp-config.php" "$salts"
  chmod 640 "$SITE/wp-config.php" "$salts"
}

# Installs the blog (first start), sets what the REST API needs, and prints an application password's
# credentials when the stored ones (passed in WP_APP_PASSWORD) no longer work.
install_blog() {
  local known="" out
  if [[ -r "$CREDENTIALS" ]]; then known="$(sed -n "s/^WP_APP_PASSWORD='\(.*\)'$/\1/p" "$CREDENTIALS")"; fi
  out="$(cd "$SITE" && env -i PATH="$PATH" WP_SITE="$SITE" WP_HOST="127.0.0.1:$WP_HTTP_PORT" WP_ADMIN="$WP_ADMIN" \
      WP_ADMIN_PASSWORD="$(random_secret)" WP_APP_PASSWORD="$known" \
      setpriv --reuid=www-data --regid=www-data --init-groups \
      php -d sendmail_path=/bin/true -d display_errors=stderr -r "$(install_php)" 2>"$LOGDIR/install.log" 9>&-)" \
    || { tail_log "$LOGDIR/install.log"; die "installing the blog failed"; }
  if [[ -n "$out" ]]; then
    (umask 077; printf "WP_URL='%s'\n%s\n" "$WP_URL_HERE" "$out" > "$CREDENTIALS")
    log "new application password for '$WP_ADMIN' written to $CREDENTIALS"
  elif ! grep -qx "WP_URL='$WP_URL_HERE'" "$CREDENTIALS"; then
    sed -i "s|^WP_URL=.*|WP_URL='$WP_URL_HERE'|" "$CREDENTIALS"
  fi
}

install_php() {
  cat <<'PHP'
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = getenv('WP_HOST');
$_SERVER['REQUEST_URI'] = '/';
require getenv('WP_SITE') . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$admin = getenv('WP_ADMIN');
if (!is_blog_installed()) {
    $result = wp_install('School blog', $admin, 'admin@school.invalid', false, '', getenv('WP_ADMIN_PASSWORD'));
    fwrite(STDERR, "installed the blog, user {$result['user_id']}\n");
}
// Without pretty permalinks /wp-json/ answers 301.
if (get_option('permalink_structure') !== '/%postname%/') {
    update_option('permalink_structure', '/%postname%/');
    flush_rewrite_rules(false);
}
// A school blog holds every comment for moderation.
update_option('comment_moderation', '1');
update_option('comment_previously_approved', '0');
update_option('default_comment_status', 'open');
$user = get_user_by('login', $admin);
if (!$user) {
    fwrite(STDERR, "no user $admin\n");
    exit(1);
}
if (!wp_is_application_passwords_available_for_user($user)) {
    fwrite(STDERR, "application passwords are not available (WP_ENVIRONMENT_TYPE must be local over plain HTTP)\n");
    exit(1);
}
$known = preg_replace('/[^a-z\d]/i', '', (string) getenv('WP_APP_PASSWORD'));
if ($known !== '') {
    foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
        if (wp_check_password($known, $item['password'], $user->ID)) {
            exit(0);
        }
    }
}
$created = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => 'moderation tests ' . gmdate('c')]);
if (is_wp_error($created)) {
    fwrite(STDERR, $created->get_error_message() . "\n");
    exit(1);
}
echo "WP_USER='$admin'\nWP_APP_PASSWORD='{$created[0]}'\n";
PHP
}

# rest_ready : true if the REST API's index answers 200 (plain bash, so curl is not needed).
rest_ready() {
  local status
  status="$( (exec 3<>"/dev/tcp/127.0.0.1/$WP_HTTP_PORT" \
    && printf 'GET /wp-json/ HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n' "$WP_HTTP_PORT" >&3 \
    && timeout 5 head -n1 <&3) 2>/dev/null)" || return 1
  [[ "$status" == *" 200 "* ]]
}

start_php() {
  ensure_traversable www-data "$SITE"
  local pid; pid="$(php_pid)"
  if [[ -n "$pid" ]]; then
    log "PHP already serving (PID $pid)"
    return 0
  fi
  port_open "$WP_HTTP_PORT" && die "port 127.0.0.1:$WP_HTTP_PORT is already in use by another process (set WP_HTTP_PORT to use another port)"
  log "serving $SITE on $WP_URL_HERE (log: $LOGDIR/php.log)"
  # setpriv execs without forking, so $! is PHP's master process; its workers are its children.
  (cd "$SITE" && exec setsid env -i PATH="$PATH" PHP_CLI_SERVER_WORKERS=4 \
      setpriv --reuid=www-data --regid=www-data --init-groups \
      php -d sendmail_path=/bin/true -d display_errors=0 -d log_errors=1 -d memory_limit=256M \
          -d upload_max_filesize=32M -d post_max_size=32M -S "127.0.0.1:$WP_HTTP_PORT" -t "$SITE" \
      >>"$LOGDIR/php.log" 2>&1 </dev/null 9>&-) &
  echo $! > "$PHP_PIDFILE"
}

demo_php() {
  cat <<'PHP'
$_SERVER['HTTP_HOST'] = getenv('WP_HOST');
$_SERVER['REQUEST_URI'] = '/';
require getenv('WP_SITE') . '/wp-load.php';
if (get_page_by_path('sports-day', OBJECT, 'post')) {
    exit(0);
}
$post = wp_insert_post(['post_title' => 'Sports day', 'post_name' => 'sports-day', 'post_status' => 'publish',
    'post_content' => 'Thank you to everyone who came to sports day. Photos to follow!']);
$comments = [
    ['PTA Chair', 'What a brilliant afternoon, well done to every runner and thank you to the staff.'],
    ['Grandad Joe', 'So proud of Olivia Smith winning the sack race!'],
    ['anon', 'Worst organised event ever, the teachers are a joke.'],
];
foreach ($comments as [$author, $text]) {
    wp_insert_comment(['comment_post_ID' => $post, 'comment_author' => $author, 'comment_author_email' => 'visitor@example.invalid',
        'comment_content' => $text, 'comment_approved' => 0]);
}
fwrite(STDERR, "demo post $post with " . count($comments) . " held comments\n");
PHP
}

cmd_demo_content() {
  require_root
  rest_ready || die "the blog is not running; run: infra/wordpress.sh start"
  (cd "$SITE" && env -i PATH="$PATH" WP_SITE="$SITE" WP_HOST="127.0.0.1:$WP_HTTP_PORT"       setpriv --reuid=www-data --regid=www-data --init-groups       php -d sendmail_path=/bin/true -d display_errors=stderr -r "$(demo_php)" 2>>"$LOGDIR/install.log" 9>&-)     || { tail_log "$LOGDIR/install.log"; die "adding the demo content failed"; }
}

cmd_start() {
  require_root
  local t0=$SECONDS
  ensure_state_root
  lock_state wordpress
  wp_installed || die "WordPress, MariaDB or PHP not installed; run: infra/wordpress.sh install"
  mkdir -p "$W" "$LOGDIR"
  chmod 755 "$W"
  start_mariadb
  copy_site
  write_config
  install_blog
  start_php
  wait_for "WordPress" "$LOGDIR/php.log" rest_ready
  log "ready in $((SECONDS - t0))s: $WP_URL_HERE (credentials: $CREDENTIALS)"
}

# stop_pid NAME PID : TERM, then KILL after 20 s.
stop_pid() {
  local name="$1" pid="$2" i
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    pid_alive "$pid" || return 0
    sleep 0.2
  done
  warn "$name (PID $pid) did not stop; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  require_root
  [[ -d "$W" ]] || { log "nothing to stop (no $W)"; return 0; }
  lock_state wordpress
  local pid child
  pid="$(php_pid)"
  if [[ -n "$pid" ]]; then
    # Ending the master alone leaves its workers serving: end them first.
    for child in $(pgrep -P "$pid" || true); do
      stop_pid "PHP worker" "$child"
    done
    stop_pid "PHP" "$pid"
    log "PHP stopped"
  else
    log "PHP not running"
  fi
  rm -f "$PHP_PIDFILE"
  pid="$(db_pid)"
  if [[ -n "$pid" ]]; then
    mariadb-admin --no-defaults --socket="$DB_SOCKET" -uroot shutdown >/dev/null 2>&1 || true
    stop_pid "MariaDB" "$pid"
    log "MariaDB stopped"
  else
    log "MariaDB not running"
  fi
}

cmd_status() {
  local php db
  php="$(php_pid)"; db="$(db_pid)"
  if [[ -n "$php" && -n "$db" ]] && rest_ready; then
    log "running: $WP_URL_HERE (PHP PID $php, MariaDB PID $db on 127.0.0.1:$WP_DB_PORT)"
    return 0
  fi
  log "not running (PHP: ${php:-stopped}, MariaDB: ${db:-stopped})"
  return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start)   cmd_start ;;
  stop)    cmd_stop ;;
  status)  cmd_status ;;
  demo-content) cmd_demo_content ;;
  *) echo "usage: $0 {install|start|stop|status|demo-content}" >&2; exit 2 ;;
esac
