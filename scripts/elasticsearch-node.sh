#!/usr/bin/env bash
# elasticsearch-node.sh: a real single-node Elasticsearch 8 for tests and CI.
#
# What runs
#   Elasticsearch 8.14.3's server jar (org.elasticsearch:elasticsearch) and its
#   Netty HTTP/transport plugin (org.elasticsearch.plugin:transport-netty4),
#   both from Maven Central, started in one JVM by the small launcher in
#   scripts/elasticsearch-node/ (pom.xml + src/). Elastic's distribution and
#   org.codelibs' elasticsearch-cluster-runner 8.x are not on Maven Central
#   (the runner's last release there is 7.10.2.0), so the launcher does the
#   runner's job itself. The node is plain HTTP with no security (x-pack is
#   not on the class path), bound to 127.0.0.1 only, single-node discovery.
#   It runs fine as root: the "can not run elasticsearch as root" refusal lives
#   in the distribution's bootstrap, which the launcher does not use.
#   Not loaded (distribution-only modules, not on Maven Central): painless
#   scripts, reindex / update_by_query / delete_by_query, ingest processors,
#   data streams, analysis-common's extra analyzers, mapper-extras types.
#   Core mappings (keyword, text, ip, date, numbers, ...), _bulk, search,
#   aggregations, aliases, index templates and _cat APIs are all there.
#   GET / and HEAD / are answered by the launcher's own small handler.
#
# Commands
#   start                 start the node (or reuse the running one), wait until
#                         GET /_cluster/health?wait_for_status=yellow answers,
#                         print its URL (http://127.0.0.1:PORT) on stdout.
#                         If the state folder was kept by `stop --keep-data`,
#                         the node starts on the same data.
#   stop [--keep-data] [--kill]
#                         stop the node (SIGTERM, clean shutdown; SIGKILL after
#                         ES_STOP_TIMEOUT). Without --keep-data the state folder
#                         (data, logs, pid) is deleted. --kill sends SIGKILL at
#                         once, like a crash (acknowledged writes survive: the
#                         translog is fsynced per request).
#   restart               stop --keep-data, then start: same node, same data.
#   status                says whether it runs; exit 0 if it answers, 3 if not.
#   url                   print the URL (whether or not it runs).
#   logs [N]              print the last N (default 100) lines of the node log.
#
#   Store-outage tests: `stop --keep-data` (or `stop --keep-data --kill`)
#   mid-stream, then `start` again: same port, same cluster, indices and docs
#   still there. Finish with a plain `stop` to remove the folder.
#
# Environment
#   ES_PORT            HTTP port (default 9201; 9200 is left to a user's own).
#   ES_TRANSPORT_PORT  transport port (default ES_PORT + 10000).
#   ES_HEAP            JVM heap, -Xms = -Xmx (default 512m; keep it <= 1g).
#   ES_STATE_DIR       state folder (default ${TMPDIR:-/tmp}/taishi-es-node-PORT):
#                      node.pid, node.log, data/, logs/, home/ live there.
#   ES_CACHE_DIR       where the built launcher and its class path are kept
#                      (default ${XDG_CACHE_HOME:-~/.cache}/taishi-es-node).
#   ES_START_TIMEOUT   seconds to wait for the node to answer (default 120).
#   ES_STOP_TIMEOUT    seconds to wait for a clean shutdown (default 30).
#   ES_JAVA_OPTS       extra JVM options.    ES_MVN_ARGS  extra Maven arguments.
#   JAVA_HOME / MVN    which java / mvn to use (Java 17 or newer).
#
# First start builds the launcher with Maven and downloads ~40 MB of jars into
# ~/.m2 from Maven Central; later starts skip Maven and run java directly.

set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAUNCHER_DIR="$SCRIPT_DIR/elasticsearch-node"
MAIN_CLASS="taishi.esnode.Launcher"

ES_PORT="${ES_PORT:-9201}"
ES_TRANSPORT_PORT="${ES_TRANSPORT_PORT:-$((ES_PORT + 10000))}"
ES_HEAP="${ES_HEAP:-512m}"
ES_STATE_DIR="${ES_STATE_DIR:-${TMPDIR:-/tmp}/taishi-es-node-$ES_PORT}"
ES_CACHE_DIR="${ES_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/taishi-es-node}"
ES_START_TIMEOUT="${ES_START_TIMEOUT:-120}"
ES_STOP_TIMEOUT="${ES_STOP_TIMEOUT:-30}"
ES_JAVA_OPTS="${ES_JAVA_OPTS:-}"
ES_MVN_ARGS="${ES_MVN_ARGS:-}"
MVN="${MVN:-mvn}"
if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
  JAVA="${JAVA_HOME}/bin/java"
else
  JAVA="java"
fi

URL="http://127.0.0.1:$ES_PORT"
PID_FILE="$ES_STATE_DIR/node.pid"
LOG_FILE="$ES_STATE_DIR/node.log"
MARKER="$ES_STATE_DIR/.taishi-es-node"

say() { printf 'elasticsearch-node: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

case "$ES_PORT" in '' | *[!0-9]*) die "ES_PORT must be a number, got '$ES_PORT'" ;; esac
case "$ES_TRANSPORT_PORT" in '' | *[!0-9]*) die "ES_TRANSPORT_PORT must be a number" ;; esac

# --- helpers ---------------------------------------------------------------

# Is $1 the pid of our launcher serving this port?
is_our_node() {
  local pid="$1" cmdline
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$MAIN_CLASS"* && "$cmdline" == *"http.port=$ES_PORT "* ]]
}

running_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  is_our_node "$pid" || return 1
  printf '%s\n' "$pid"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

healthy() {
  curl -sf -m 5 -o /dev/null "$URL/_cluster/health?wait_for_status=yellow&timeout=1s"
}

log_tail() {
  if [[ -f "$LOG_FILE" ]]; then
    say "last lines of $LOG_FILE:"
    tail -n "${1:-40}" "$LOG_FILE" >&2
  fi
}

# Serialise start/stop for one port (two test runners starting at once).
take_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"${ES_STATE_DIR%/}.lock"
  flock -w 300 9 || die "timed out waiting for the lock ${ES_STATE_DIR%/}.lock"
}

# Build the launcher once per version of pom.xml + src/, into a cache folder
# outside the repository, and record the class path Maven resolved. A warm
# start only checks that those jars are still there.
ensure_built() {
  local fingerprint build_dir tmp_dir
  command -v sha256sum >/dev/null || die "sha256sum not found"
  fingerprint="$(
    cd "$LAUNCHER_DIR" &&
      find pom.xml src -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
  )"
  build_dir="$ES_CACHE_DIR/build-$fingerprint"
  if [[ -f "$build_dir/classpath.txt" && -f "$build_dir/launcher.jar" ]]; then
    local missing="" entry entries
    # (no trailing newline in the file: read returns 1 at its end)
    IFS=':' read -r -a entries <"$build_dir/classpath.txt" || true
    for entry in "${entries[@]}"; do
      [[ -f "$entry" ]] || { missing="$entry"; break; }
    done
    if [[ -z "$missing" ]]; then
      CLASSPATH_VALUE="$build_dir/launcher.jar:$(cat "$build_dir/classpath.txt")"
      return 0
    fi
    say "jar $missing is gone from the Maven cache; rebuilding"
  fi

  command -v "$MVN" >/dev/null 2>&1 || die "Maven ('$MVN') not found; it is needed once to build the launcher"
  mkdir -p "$ES_CACHE_DIR"
  tmp_dir="$(mktemp -d "$ES_CACHE_DIR/tmp-build.XXXXXX")"
  say "building the launcher (first run downloads Elasticsearch jars from Maven Central)..."
  # shellcheck disable=SC2086 # ES_MVN_ARGS is a list of words
  if ! "$MVN" -B -q -f "$LAUNCHER_DIR/pom.xml" $ES_MVN_ARGS \
    "-Desnode.buildDir=$tmp_dir/target" \
    package dependency:build-classpath "-Dmdep.outputFile=$tmp_dir/classpath.txt" \
    >"$tmp_dir/build.log" 2>&1; then
    say "Maven build failed; last lines of $tmp_dir/build.log:"
    tail -n 40 "$tmp_dir/build.log" >&2
    exit 1
  fi
  cp "$tmp_dir/target/elasticsearch-test-node-1.0.0.jar" "$tmp_dir/launcher.jar"
  rm -rf "$tmp_dir/target"
  rm -rf "$build_dir"
  mv -T "$tmp_dir" "$build_dir" 2>/dev/null || rm -rf "$tmp_dir"
  CLASSPATH_VALUE="$build_dir/launcher.jar:$(cat "$build_dir/classpath.txt")"
}

wait_until_healthy() {
  local pid="$1" deadline=$((SECONDS + ES_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "the node (pid $pid) exited during startup"
      log_tail 60
      rm -f "$PID_FILE"
      exit 1
    fi
    if healthy; then
      return 0
    fi
    sleep 0.5
  done
  say "the node (pid $pid) did not report yellow health at $URL within ${ES_START_TIMEOUT}s"
  log_tail 60
  say "it is left running; run '$0 stop' to remove it"
  exit 1
}

# --- commands --------------------------------------------------------------

cmd_start() {
  take_lock
  local pid
  if pid="$(running_pid)"; then
    if ! healthy; then
      say "node already starting (pid $pid); waiting for it"
      wait_until_healthy "$pid"
    fi
    say "already running (pid $pid)"
    printf '%s\n' "$URL"
    return 0
  fi
  rm -f "$PID_FILE"

  if port_in_use "$ES_PORT"; then
    die "port $ES_PORT on 127.0.0.1 is taken by another process (not this script's node); set ES_PORT"
  fi
  if port_in_use "$ES_TRANSPORT_PORT"; then
    die "transport port $ES_TRANSPORT_PORT on 127.0.0.1 is taken; set ES_TRANSPORT_PORT"
  fi
  command -v curl >/dev/null 2>&1 || die "curl not found"
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA_HOME)"

  local started=$SECONDS
  ensure_built

  if [[ -e "$ES_STATE_DIR" && ! -f "$MARKER" ]]; then
    die "$ES_STATE_DIR exists but was not made by this script; remove it or set ES_STATE_DIR"
  fi
  local reuse=""
  [[ -d "$ES_STATE_DIR/data" ]] && reuse=" (reusing kept data)"
  mkdir -p "$ES_STATE_DIR/data" "$ES_STATE_DIR/logs" "$ES_STATE_DIR/home" "$ES_STATE_DIR/tmp"
  touch "$MARKER"
  printf '\n===== start %s =====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$LOG_FILE"

  local -a java_opts=(
    "-Xms$ES_HEAP" "-Xmx$ES_HEAP"
    -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow
    -Dfile.encoding=UTF-8 -Djava.awt.headless=true
    "-Djava.io.tmpdir=$ES_STATE_DIR/tmp"
    -Djna.nosys=true
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true
    -Dio.netty.recycler.maxCapacityPerThread=0
    -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true
    -Dlog4j2.formatMsgNoLookups=true
  )
  # shellcheck disable=SC2206 # ES_JAVA_OPTS is a list of words
  [[ -n "$ES_JAVA_OPTS" ]] && java_opts+=($ES_JAVA_OPTS)

  local -a settings=(
    "path.home=$ES_STATE_DIR/home"
    "path.data=$ES_STATE_DIR/data"
    "path.logs=$ES_STATE_DIR/logs"
    "cluster.name=taishi-test"
    "node.name=taishi-test-node"
    "discovery.type=single-node"
    "network.host=127.0.0.1"
    "transport.port=$ES_TRANSPORT_PORT"
    "cluster.routing.allocation.disk.threshold_enabled=false"
    "action.destructive_requires_name=false"
    "http.port=$ES_PORT"
  )

  # setsid: the node gets its own session, so it outlives the calling shell
  # and a Ctrl-C in the caller's terminal does not reach it.
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  # http.port is last and followed by a space in /proc cmdline: is_our_node
  # relies on that to tell nodes on different ports apart. 9>&-: the node
  # must not inherit (and so hold) the start/stop lock.
  "${launcher[@]}" "$JAVA" "${java_opts[@]}" -cp "$CLASSPATH_VALUE" "$MAIN_CLASS" "${settings[@]}" \
    </dev/null >>"$LOG_FILE" 2>&1 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  say "starting Elasticsearch 8 on $URL (pid $pid, heap $ES_HEAP)$reuse; log: $LOG_FILE"

  wait_until_healthy "$pid"
  say "ready in $((SECONDS - started))s"
  printf '%s\n' "$URL"
}

cmd_stop() {
  local keep_data="" kill_now="" arg
  for arg in "$@"; do
    case "$arg" in
      --keep-data) keep_data=1 ;;
      --kill) kill_now=1 ;;
      *) die "unknown option for stop: $arg" ;;
    esac
  done
  take_lock
  local pid
  if pid="$(running_pid)"; then
    if [[ -n "$kill_now" ]]; then
      kill -KILL "$pid" 2>/dev/null || true
    else
      kill -TERM "$pid" 2>/dev/null || true
    fi
    local deadline=$((SECONDS + ES_STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "no clean shutdown within ${ES_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    say "stopped (pid $pid)"
  else
    say "not running"
  fi
  rm -f "$PID_FILE"
  if [[ -n "$keep_data" ]]; then
    [[ -d "$ES_STATE_DIR" ]] && say "kept data in $ES_STATE_DIR"
  elif [[ -f "$MARKER" ]]; then
    rm -rf "$ES_STATE_DIR"
    say "removed $ES_STATE_DIR"
  elif [[ -e "$ES_STATE_DIR" ]]; then
    say "left $ES_STATE_DIR alone: it was not made by this script"
  fi
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    if healthy; then
      say "running (pid $pid) at $URL, data in $ES_STATE_DIR"
      return 0
    fi
    say "process $pid is up but $URL does not answer yet (starting or stuck); log: $LOG_FILE"
    return 3
  fi
  if [[ -d "$ES_STATE_DIR/data" ]]; then
    say "not running (kept data in $ES_STATE_DIR; 'start' reuses it, 'stop' removes it)"
  else
    say "not running"
  fi
  return 3
}

usage() {
  sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
  start) cmd_start ;;
  stop) cmd_stop "$@" ;;
  restart)
    cmd_stop --keep-data
    cmd_start
    ;;
  status) cmd_status ;;
  url) printf '%s\n' "$URL" ;;
  logs)
    [[ -f "$LOG_FILE" ]] || die "no log at $LOG_FILE"
    tail -n "${1:-100}" "$LOG_FILE"
    ;;
  -h | --help | help) usage 0 ;;
  *) usage 2 ;;
esac
