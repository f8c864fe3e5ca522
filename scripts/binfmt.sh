#!/usr/bin/env bash
# Make the kernel run foreign binaries of the given architectures through
# qemu-user-static (binfmt_misc), idempotently.
#
#   scripts/binfmt.sh ARCH...     (minit's names: aarch64 armhf i386; scripts/arch.sh)
#
# For each ARCH whose binaries this kernel cannot run natively (i386 runs
# natively on x86_64 with IA32 emulation), its entry qemu-QEMU is registered
# from Debian's /usr/lib/binfmt.d/qemu-QEMU.conf (interpreter
# /usr/libexec/qemu-binfmt/QEMU-binfmt-P, flags OPF: the kernel opens the
# interpreter at registration, so it works in any mount namespace), after
# mounting binfmt_misc on /proc/sys/fs/binfmt_misc if needed. An entry that
# is there already (registered by binfmt-support, systemd-binfmt or an
# earlier run) is left as it is; a disabled one is enabled. Entries stay
# registered afterwards, like an installed package (they go at reboot).
#
# Prints one line per action. Exit status: 0 when every ARCH can run; 3 with
# one line "binfmt.sh: cannot ...: REASON" when binfmt_misc cannot be used
# here (no such file system, mount refused, not root, no qemu-user-static):
# callers skip the emulated tests with that line; 1 on other errors.
set -euo pipefail

me=binfmt.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/arch.sh
source "$here/arch.sh"
say() { printf '%s: %s\n' "$me" "$*"; }
cannot() { printf '%s: cannot %s\n' "$me" "$*" >&2; exit 3; }
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }

(($#)) || die "usage: $0 ARCH..."
dir=/proc/sys/fs/binfmt_misc

# native_runs ARCH: this kernel runs ARCH's binaries itself
native_runs() {
	case $(uname -m):$1 in
	x86_64:x86_64 | aarch64:aarch64) return 0 ;;
	x86_64:i386) [[ -e /proc/sys/abi/vsyscall32 ]] ;; # the kernel has IA32 emulation
	*) return 1 ;;
	esac
}

need=()
for a in "$@"; do
	arch_info "$a" || die "unknown architecture '$a' (scripts/arch.sh)"
	native_runs "$a" && continue
	need+=("$ARCH_QEMU")
done
((${#need[@]})) || { say "nothing to register: $* run natively"; exit 0; }

[[ $(id -u) == 0 ]] || cannot "register binfmt entries: not root"
grep -qw binfmt_misc /proc/filesystems || cannot "register binfmt entries: the kernel has no binfmt_misc"
if [[ ! -e $dir/register ]]; then
	mount -t binfmt_misc binfmt_misc "$dir" 2>/dev/null ||
		cannot "mount binfmt_misc on $dir (a container without the privilege?)"
	say "mounted binfmt_misc on $dir"
fi
[[ -w $dir/register ]] || cannot "register binfmt entries: $dir/register is not writable"

for q in "${need[@]}"; do
	entry=$dir/qemu-$q
	if [[ -e $entry ]]; then
		if [[ $(head -n 1 "$entry") != enabled ]]; then
			echo 1 >"$entry" || die "cannot enable $entry"
			say "enabled $entry"
		fi
		continue
	fi
	conf=/usr/lib/binfmt.d/qemu-$q.conf
	[[ -f $conf ]] || cannot "register qemu-$q: no $conf (install qemu-user-static: scripts/packages.sh --cross)"
	interp=$(awk -F: '{ print $7 }' "$conf")
	[[ -x $interp ]] || cannot "register qemu-$q: its interpreter $interp is missing"
	# register wants the line as the file has it (escapes are decoded by the kernel)
	if ! tr -d '\n' <"$conf" >"$dir/register" 2>/dev/null; then
		[[ -e $entry ]] || cannot "register qemu-$q (the kernel refused $conf)"
	fi
	say "registered $entry ($interp)"
done
