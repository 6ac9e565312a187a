# bash completion for kaizenctl. Generated from kaizenctl's command table by
# `kaizenctl completion bash`; cli/completion/kaizenctl.bash is kept equal by a test.
# Install as /usr/share/bash-completion/completions/kaizenctl, or for one shell:
#   source <(kaizenctl completion bash)

_kaizenctl_files() {
  local IFS=$'\n'
  COMPREPLY=($(compgen -f -- "$cur"))
  compopt -o filenames 2>/dev/null
}

_kaizenctl() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev=""
  ((COMP_CWORD > 0)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
  local cmd="" sub="" npos=0 i w
  # The command words so far, skipping options and their values.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    case "$w" in
      --owner|--plan|--state|--team|--due-within|--limit|--note|--actor|--until|--for|--template|--start|--file|--locale|--channel|--task|--tz|--count|--from|--dst|--reason|--server|--token|--actor|--output|-o|-n|-f) ((i++)) ;;
      -*) ;;
      *)
        if [[ -z $cmd ]]; then cmd=$w
        elif [[ -z $sub ]]; then sub=$w
        else ((npos++))
        fi ;;
    esac
  done
  local globals="--server --token --actor --output --no-color --help --version -o -h" value=0
  case "$prev" in --owner|--plan|--state|--team|--due-within|--limit|--note|--actor|--until|--for|--template|--start|--file|--locale|--channel|--task|--tz|--count|--from|--dst|--reason|--server|--token|--actor|--output|-o|-n|-f) value=1 ;; esac
  case "$cmd" in
    channels)
      if [[ -z $sub && $cur != -* && $value == 0 ]]; then
        COMPREPLY=($(compgen -W "list test" -- "$cur")); return
      fi
      [[ -z $sub ]] && sub=list
      cmd="channels $sub" ;;
    notifications)
      if [[ -z $sub && $cur != -* && $value == 0 ]]; then
        COMPREPLY=($(compgen -W "list retry" -- "$cur")); return
      fi
      [[ -z $sub ]] && sub=list
      cmd="notifications $sub" ;;
    plan)
      if [[ -z $sub && $cur != -* && $value == 0 ]]; then
        COMPREPLY=($(compgen -W "show create cancel report close" -- "$cur")); return
      fi
      cmd="plan $sub" ;;
    schedules)
      if [[ -z $sub && $cur != -* && $value == 0 ]]; then
        COMPREPLY=($(compgen -W "list preview trigger pause resume" -- "$cur")); return
      fi
      [[ -z $sub ]] && sub=list
      cmd="schedules $sub" ;;
    task)
      if [[ -z $sub && $cur != -* && $value == 0 ]]; then
        COMPREPLY=($(compgen -W "show move start block done verify reject cancel reopen snooze" -- "$cur")); return
      fi
      cmd="task $sub" ;;
    "")
      if [[ $cur != -* && $value == 0 ]]; then
        COMPREPLY=($(compgen -W "tasks task plans plan summary notifications channels templates schedules check-config completion backup help" -- "$cur")); return
      fi ;;
  esac
  case "$prev" in
      --server) return ;;
      --token) return ;;
      --actor) return ;;
      --output|-o) COMPREPLY=($(compgen -W "table wide json" -- "$cur")); return ;;
  esac
  local opts=""
  case "$cmd" in
    tasks)
      case "$prev" in
        --owner) return ;;
        --plan) return ;;
        --state) COMPREPLY=($(compgen -W "open in_progress blocked done verified cancelled" -- "$cur")); return ;;
        --team) return ;;
        --due-within) return ;;
        --limit) return ;;
      esac
      opts="--mine --owner --plan --state --team --overdue --due-within --limit" ;;
    "task show")
      opts="" ;;
    "task move")
      case "$prev" in
        --note) return ;;
        --actor) return ;;
      esac
      opts="--note" ;;
    "task start")
      case "$prev" in
        --note) return ;;
        --actor) return ;;
      esac
      opts="--note" ;;
    "task block")
      case "$prev" in
        --note) return ;;
        --actor) return ;;
      esac
      opts="--note" ;;
    "task done")
      case "$prev" in
        --note) return ;;
        --actor) return ;;
      esac
      opts="--note" ;;
    "task verify")
      case "$prev" in
        --note) return ;;
        --actor) return ;;
      esac
      opts="--note" ;;
    "task reject")
      case "$prev" in
        --note) return ;;
        --actor) return ;;
      esac
      opts="--note" ;;
    "task cancel")
      case "$prev" in
        --note) return ;;
        --actor) return ;;
      esac
      opts="--note" ;;
    "task reopen")
      case "$prev" in
        --note) return ;;
        --actor) return ;;
      esac
      opts="--note" ;;
    "task snooze")
      case "$prev" in
        --until) return ;;
        --for) return ;;
        --actor) return ;;
      esac
      opts="--until --for" ;;
    plans)
      case "$prev" in
        --state) COMPREPLY=($(compgen -W "active completed cancelled" -- "$cur")); return ;;
        --owner) return ;;
        --team) return ;;
        --limit) return ;;
      esac
      opts="--state --owner --team --limit" ;;
    "plan show")
      opts="" ;;
    "plan create")
      case "$prev" in
        --template) return ;;
        --team) return ;;
        --start) return ;;
        --owner) return ;;
        --file|-f) _kaizenctl_files; return ;;
        --actor) return ;;
      esac
      opts="--template --team --start --owner --file -f" ;;
    "plan cancel")
      case "$prev" in
        --note) return ;;
        --actor) return ;;
      esac
      opts="--note" ;;
    "plan report")
      case "$prev" in
        --locale) COMPREPLY=($(compgen -W "en zh-CN" -- "$cur")); return ;;
      esac
      opts="--markdown --locale" ;;
    "plan close")
      opts="" ;;
    summary)
      case "$prev" in
        --team) return ;;
        --owner) return ;;
      esac
      opts="--team --owner" ;;
    "notifications list")
      case "$prev" in
        --state) COMPREPLY=($(compgen -W "pending delivering delivered failed dead" -- "$cur")); return ;;
        --channel) return ;;
        --task) return ;;
        --limit) return ;;
      esac
      opts="--state --channel --task --limit" ;;
    "notifications retry")
      opts="" ;;
    "channels list")
      opts="" ;;
    "channels test")
      opts="" ;;
    templates)
      opts="" ;;
    "schedules list")
      opts="" ;;
    "schedules preview")
      case "$prev" in
        --tz) return ;;
        --count|-n) return ;;
        --from) return ;;
        --dst) COMPREPLY=($(compgen -W "fire_after_gap skip" -- "$cur")); return ;;
      esac
      opts="--tz --count --from --dst -n" ;;
    "schedules trigger")
      opts="" ;;
    "schedules pause")
      case "$prev" in
        --reason) return ;;
      esac
      opts="--reason" ;;
    "schedules resume")
      opts="" ;;
    check-config)
      if [[ -z $sub && $cur != -* && $value == 0 ]]; then _kaizenctl_files; return; fi
      opts="" ;;
    completion)
      if [[ -z $sub && $cur != -* && $value == 0 ]]; then
        COMPREPLY=($(compgen -W "bash" -- "$cur")); return
      fi
      opts="" ;;
    backup)
      opts="--force" ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))
  fi
}
complete -F _kaizenctl kaizenctl
