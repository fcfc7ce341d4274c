import Executor

/// The provider's own bash, run on hosts through ``SSHWrapper`` (one round trip each).
/// Every instance is a folder `~/.runjob/instances/<id>/` of the account: `instance.json`
/// (id, creation time, labels), `tmp/`, and `home/` (`home: instance`) or `files`, the
/// log of what batches installed (`home: user`, see ``FileInstallScript/fileLogVariable``).
enum SSHScripts {
    /// In the instance folder: the pid of every command's session leader, one a line.
    static let execLeaders = "exec-leaders"

    /// Exit status of a boot refused because another instance holds the account's home.
    static let homeHeld: Int32 = 3
    /// Exit status of a read of a file that is not there.
    static let fileMissing: Int32 = 4
    /// Exit status of a read of something that is not a regular file.
    static let notAFile: Int32 = 5

    /// Creates the instance `id` from the record on stdin (a staging folder renamed into
    /// place, so a folder always has its record) and prints `HOME <path>`. Under `home: user`
    /// the account's home is claimed first: a symbolic link `user-home` → the id, which a
    /// second instance cannot take while the first exists (exit ``homeHeld``, its id printed).
    static func boot(id: String, home: SSHHomeMode) -> String {
        var lines = [
            "set -u", "umask 077", "base=\"$HOME/.runjob/instances\"", "s=\"$base/.boot-\(id)\"",
            "fail() { rm -rf -- \"$s\"; printf '%s\\n' \"$1\" >&2; exit 70; }",
            "mkdir -p -- \"$base\" || fail \"cannot create $base\"",
            "mkdir -- \"$s\" \"$s/tmp\" || fail \"cannot create $s\"",
        ]
        switch home {
        case .instance:
            lines.append("mkdir -- \"$s/home\" || fail \"cannot create $s/home\"")
        case .user:
            lines += [
                "if ! ln -sn \(id) \"$base/user-home\" 2>/dev/null; then",
                "  holder=$(readlink -- \"$base/user-home\" 2>/dev/null || true)",
                "  if [ -n \"$holder\" ] && { [ -d \"$base/$holder\" ] || [ -d \"$base/.boot-$holder\" ]; }; then",
                "    rm -rf -- \"$s\"; printf 'held-by %s\\n' \"$holder\"; exit \(homeHeld)",
                "  fi",
                "  ln -sfn \(id) \"$base/user-home\" || fail 'cannot claim the home folder'",
                "fi",
                ": > \"$s/files\" || fail \"cannot create $s/files\"",
            ]
        }
        lines += [
            "cat > \"$s/instance.json\" || fail 'cannot write the instance record'",
            "mv -T -- \"$s\" \"$base/\(id)\" || fail \"cannot rename $s\"",
            "printf 'HOME %s\\n' \"$HOME\"",
        ]
        return lines.joined(separator: "\n")
    }

    /// Prints `HOME <length>\n<home>\n`, then for each instance folder (or only `id`)
    /// `I <name> <flags> <length>\n<instance.json>\n`; flags: `home` (has `home/`), `user`
    /// (has `files`), `staging:<age in seconds>` (a boot's folder), comma-separated, or `none`.
    static func list(id: String?) -> String {
        let pattern = id.map { "\"$base\"/\($0) \"$base\"/.boot-\($0)" } ?? "\"$base\"/ssh-* \"$base\"/.boot-ssh-*"
        return """
            export LC_ALL=C
            base="$HOME/.runjob/instances"
            printf 'HOME %s\\n%s\\n' "${#HOME}" "$HOME"
            [ -d "$base" ] || exit 0
            now=$(date +%s)
            for e in \(pattern); do
              [ -d "$e" ] || continue
              n=${e##*/}; c=; f=
              [ -f "$e/instance.json" ] && { IFS= read -r -d '' c < "$e/instance.json" 2>/dev/null || true; }
              case $n in .boot-*) m=$(stat -c %Y -- "$e" 2>/dev/null || echo "$now"); f="staging:$((now - m))";; esac
              [ -d "$e/home" ] && f="$f,home"
              [ -f "$e/files" ] && f="$f,user"
              f=${f#,}
              printf 'I %s %s %s\\n%s\\n' "$n" "${f:-none}" "${#c}" "$c"
            done
            """
    }

    /// Replaces the record of `id` with the bytes on stdin (a temporary file, then a rename).
    static func writeRecord(id: String) -> String {
        """
        set -u; umask 077
        d=\(SSHWrapper.folder(of: id))
        [ -d "$d" ] || { echo 'the instance folder is gone' >&2; exit 4; }
        cat > "$d/instance.json.tmp" && mv -f -- "$d/instance.json.tmp" "$d/instance.json"
        """
    }

    /// Prints the file at `path` (`~/…` is the instance home); exit ``fileMissing`` when
    /// there is nothing there, ``notAFile`` for a folder, a device or a FIFO.
    static func read(path: String) -> String {
        let target = path.hasPrefix("~/") ? "\"$HOME\"/" + ShellQuoting.quote(String(path.dropFirst(2))) : ShellQuoting.quote(path)
        return """
            p=\(target)
            if [ ! -e "$p" ] && [ ! -L "$p" ]; then exit \(fileMissing); fi
            [ -d "$p" ] && { echo "$p is a directory" >&2; exit \(notAFile); }
            [ -f "$p" ] || { echo "$p is not a regular file" >&2; exit \(notAFile); }
            exec cat -- "$p"
            """
    }

    /// Stops every process of `id` and removes what runjob made: under `home: user`, every
    /// file a batch installed (putting back the file it replaced) and the folders it created
    /// (those under `~/.runjob` with their content, others only when empty); then the instance
    /// folder, the claim on the home, and `~/.runjob` when nothing else is left in it.
    static func destroy(id: String) -> String {
        """
        set -u
        export LC_ALL=C
        base="$HOME/.runjob/instances"; d="$base/\(id)"
        \(killFunctions(marker: "\(SSHProvider.markerVariable)=\(id)"))
        runjob_kill_all
        if [ -f "$d/files" ]; then
          declare -A backups=() seen=()
          dirs=()
          mapfile -d '' entries < "$d/files"
          for e in "${entries[@]}"; do case $e in b:*) r=${e#b:}; backups[${r#*:}]=${r%%:*} ;; esac; done
          for ((i = ${#entries[@]} - 1; i >= 0; i--)); do
            e=${entries[i]}
            case $e in
              f:*) p=${e#f:}; [ -n "${seen[$p]:-}" ] && continue; seen[$p]=1
                   b=${backups[$p]:-}
                   if [ -n "$b" ] && { [ -e "$d/backup/$b" ] || [ -L "$d/backup/$b" ]; }; then mv -f -- "$d/backup/$b" "$p"; else rm -f -- "$p"; fi ;;
              d:*) dirs+=("${e#d:}") ;;
            esac
          done
          if [ ${#dirs[@]} -gt 0 ]; then
            while IFS= read -r -d '' p; do
              case $p in
                "$HOME/.runjob" | "$HOME/.runjob/instances" | "$HOME/.runjob/instances/"*) rmdir -- "$p" 2>/dev/null ;;
                "$HOME/.runjob/"*) rm -rf -- "$p" 2>/dev/null || { chmod -R u+rwx -- "$p"; rm -rf -- "$p"; } ;;
                *) rmdir -- "$p" 2>/dev/null ;;
              esac
            done < <(printf '%s\\0' "${dirs[@]}" | sort -zru)
          fi
        fi
        for f in "$d" "$base/.boot-\(id)"; do
          [ -e "$f" ] || continue
          rm -rf -- "$f" 2>/dev/null || { chmod -R u+rwx -- "$f" 2>/dev/null; rm -rf -- "$f"; } || { echo "cannot remove $f" >&2; exit 1; }
        done
        [ "$(readlink -- "$base/user-home" 2>/dev/null)" = \(id) ] && rm -f -- "$base/user-home"
        rmdir -- "$base" 2>/dev/null && rmdir -- "$HOME/.runjob" 2>/dev/null
        exit 0
        """
    }

    /// `runjob_kill_all`: TERM, then KILL after 2 s, every process that carries `marker` in
    /// its environment, every process in the session or group of one of those or of a
    /// command's session leader recorded in `$d/exec-leaders` (when that leader is gone: the
    /// kernel does not reuse a pid while a session holds it; one alive but unmarked was
    /// reused and is ignored), and every descendant of all these; never the caller or its
    /// ancestors, never pid 1. Bash and `/proc` only (one grep over every environment).
    static func killFunctions(marker: String) -> String {
        """
        runjob_members() {
          local f pid line rest p
          declare -A parent=() grp=() sess=() marked=() groups=() members=() mine=()
          for f in $(grep -lzxF -- \(ShellQuoting.quote(marker)) /proc/[0-9]*/environ 2>/dev/null); do pid=${f#/proc/}; marked[${pid%/environ}]=1; done
          if [ -f "$d/\(execLeaders)" ]; then
            while IFS= read -r p; do
              case $p in '' | *[!0-9]*) continue ;; esac
              [ -e "/proc/$p" ] || groups[$p]=1
            done < "$d/\(execLeaders)"
          fi
          [ ${#marked[@]} -gt 0 ] || [ ${#groups[@]} -gt 0 ] || return 0
          for f in /proc/[0-9]*/stat; do
            IFS= read -r line < "$f" 2>/dev/null || continue
            pid=${f#/proc/}; pid=${pid%/stat}; rest=${line##*) }
            set -- $rest
            parent[$pid]=$2; grp[$pid]=$3; sess[$pid]=$4
          done
          p=$$; while [ -n "$p" ] && [ "$p" != 0 ]; do mine[$p]=1; p=${parent[$p]:-}; done
          for pid in "${!marked[@]}"; do
            for g in "${grp[$pid]:-}" "${sess[$pid]:-}"; do
              [ -n "$g" ] && [ "$g" -gt 1 ] && [ -z "${mine[$g]:-}" ] && [ "$g" != "${grp[$$]:-}" ] && [ "$g" != "${sess[$$]:-}" ] && groups[$g]=1
            done
          done
          for pid in "${!parent[@]}"; do
            if [ -n "${marked[$pid]:-}" ] || [ -n "${groups[${grp[$pid]}]:-}" ] || [ -n "${groups[${sess[$pid]}]:-}" ]; then members[$pid]=1; fi
          done
          local changed=1
          while [ $changed = 1 ]; do
            changed=0
            for pid in "${!parent[@]}"; do
              if [ -z "${members[$pid]:-}" ] && [ -n "${members[${parent[$pid]}]:-}" ]; then members[$pid]=1; changed=1; fi
            done
          done
          for pid in "${!members[@]}"; do [ -z "${mine[$pid]:-}" ] && [ "$pid" -gt 1 ] && printf '%s ' "$pid"; done
        }
        runjob_kill_all() {
          local signal pass pids
          for signal in TERM KILL; do
            for ((pass = 0; pass < 40; pass++)); do
              pids=$(runjob_members)
              [ -n "$pids" ] || return 0
              if [ $signal = KILL ] || [ $pass = 0 ]; then kill -s $signal $pids 2>/dev/null; fi
              sleep 0.05
            done
          done
        }
        """
    }
}
