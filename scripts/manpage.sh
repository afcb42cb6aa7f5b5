#!/bin/sh
# manpage.sh HELP2MAN OUT INCLUDE PROGRAM [EMULATOR ARGS...]
#
# Writes the man page OUT of PROGRAM from its own --help and --version (help2man), with the
# sections of INCLUDE (help2man's include format) added. A program whose --help lists
# "Commands:" gets a section COMMANDS with each command's own --help. EMULATOR runs the program
# in a cross build (qemu-arm for armhf). The date is SOURCE_DATE_EPOCH's when it is set (dpkg
# sets it from debian/changelog), so a package build is reproducible.
set -eu
help2man=$1
out=$2
include=$3
program=$4
shift 4

name=$(basename "$program")
tmp=$(mktemp -d)
mkdir -p "$(dirname "$out")"
trap 'rm -rf "$tmp"' EXIT

# help2man takes the page's name from the executable's: a wrapper of that name runs it
{
  printf '#!/bin/sh\nexec'
  for word in "$@" "$program"; do
    printf " '%s'" "$word"
  done
  printf ' "$@"\n'
} > "$tmp/$name"
chmod +x "$tmp/$name"

# roff-safe preformatted text: backslashes escaped, no line read as a request
roff_block() {
  printf '.nf\n'
  sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
  printf '.fi\n'
}

cp "$include" "$tmp/include.h2m"
commands=$("$tmp/$name" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit }
  on && /^  [a-z][a-z-]*( |$)/ { print $1 }')
if [ -n "$commands" ]; then
  {
    printf '[COMMANDS]\n'
    printf 'Each command takes the options below after its name, e.g. \\fB%s run --help\\fR.\n' \
      "$name"
    for command in $commands; do
      if "$tmp/$name" "$command" --help > "$tmp/command.txt" 2> /dev/null; then
        printf '.SS %s\n' "$command"
        roff_block < "$tmp/command.txt"
      fi
    done
  } >> "$tmp/include.h2m"
fi

# the footer names the program's version only, not the library versions --version adds
version=$("$tmp/$name" --version | awk 'NR == 1 { print $2 }')
"$help2man" --no-info --no-discard-stderr --version-string="$version" \
  --include="$tmp/include.h2m" --output="$out" "$tmp/$name"
