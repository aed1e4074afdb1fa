# shellcheck shell=bash
# Sourced by run.sh and test.sh: restores and builds the solution with clear failure messages.

dotnet_restore_and_build() {
  local configuration="$1"
  command -v dotnet >/dev/null || { echo "error: the .NET SDK is not on PATH (global.json asks for $(grep -o '"version": *"[^"]*"' "$REPO/global.json"))" >&2; return 1; }
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  echo "Building Moderation.sln ($configuration)..."
  if ! dotnet build "$REPO/Moderation.sln" -c "$configuration" --nologo -clp:ErrorsOnly -v:q; then
    echo "error: the build failed (see above)" >&2
    return 1
  fi
}
