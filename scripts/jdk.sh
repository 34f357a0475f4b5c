# Finds a JDK 25 or newer for Condense's scripts; sourced, it defines condense_find_jdk.
# Order: JAVA_HOME when it is >= 25, then the usual JDK folders; prints the JDK's home.

condense_java_major() {
  # The feature version of the java binary $1, or nothing when it cannot run.
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

condense_find_jdk() {
  local candidates=() home major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for home in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
              "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$home" ] && candidates+=("$home")
  done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  local best="" best_major=0
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    major=$(condense_java_major "$home/bin/java")
    [ -n "$major" ] || continue
    if [ "$major" -ge 25 ] && { [ "$home" = "${JAVA_HOME:-}" ] || [ "$major" -gt "$best_major" ]; }; then
      best=$home best_major=$major
      [ "$home" = "${JAVA_HOME:-}" ] && break
    fi
  done
  if [ -z "$best" ]; then
    echo "condense: no JDK 25 or newer found (JAVA_HOME or /usr/lib/jvm); install one, e.g. Temurin 25 (apt-get install temurin-25-jdk)" >&2
    return 1
  fi
  printf '%s\n' "$best"
}

condense_find_maven() {
  if command -v mvn >/dev/null 2>&1; then
    command -v mvn
    return 0
  fi
  echo "condense: Maven 3.8.7 or newer is needed to build; install it (apt-get install maven)" >&2
  return 1
}
