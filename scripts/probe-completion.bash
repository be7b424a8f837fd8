# bash completion for probe(1)
_probe() {
  local cur prev words cword
  _init_completion || return
  local commands="bounce server rbl mx batch check"
  local common="--json -v --verbose --lang --color --config --help --dns-server --dns-timeout --dns-tries"
  local smtp="--helo --mail-from --proxy --source-ip -4 -6 --smtp-port --tls --connect-timeout --banner-timeout --command-timeout --tls-timeout"
  case $prev in
    --lang) COMPREPLY=($(compgen -W "en zh" -- "$cur")); return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --tls) COMPREPLY=($(compgen -W "opportunistic required off" -- "$cur")); return ;;
    --config) _filedir toml; return ;;
  esac
  local command="" w
  for w in "${words[@]:1:cword-1}"; do
    case $w in bounce|server|rbl|mx|batch|check) command=$w; break ;; esac
  done
  case $command in
    bounce) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--offline --ip --zones --max-rcpts --rate $common $smtp" -- "$cur")) || _filedir ;;
    batch) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "-j --jobs --ordered --shard --offline --ip --no-catch-all --greylist-wait --max-rcpts --rate --zones --all --dqs-key --rbl-timeout --seed $common $smtp" -- "$cur")) || _filedir ;;
    server) COMPREPLY=($(compgen -W "--ip --helo --domain --zones $common" -- "$cur")) ;;
    rbl) COMPREPLY=($(compgen -W "--zones --all --dqs-key --rbl-timeout $common" -- "$cur")) ;;
    mx) COMPREPLY=($(compgen -W "--seed $common" -- "$cur")) ;;
    *) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "--version --no-catch-all --greylist-wait $common $smtp" -- "$cur"))
       else COMPREPLY=($(compgen -W "$commands" -- "$cur")); fi ;;
  esac
}
complete -F _probe probe
