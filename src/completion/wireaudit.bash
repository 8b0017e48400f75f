# SPDX-License-Identifier: BSD-3-Clause
# bash completion for wireaudit (installed as
# $(datadir)/bash-completion/completions/wireaudit): the commands, each
# command's options (the getopt_long tables of the sources; tests/manpages.sh
# checks they agree), and the values some options take.

_wireaudit()
{
	local cur prev words cword cmd i
	_init_completion || return

	local commands="capture export report audit status forward schema help"
	local capture_opts="--read --interface --buffer-size --filter --db --snaplen --count
		--duration --no-promisc --user --max-flows --stream-cap --no-ndpi --ndpi
		--checkpoint --no-store-thread --store-queue --no-read-thread --workers
		--retain-flows --retain-rollups --max-db-size --progress --quiet --ca-file
		--system-ca --config --eve --eve-snapshots --eve-stats --eve-buffer
		--eve-ca-file --eve-cert --eve-key --sensor --spool --spool-max --spool-drain
		--community-id-seed --keylog --list-interfaces --verbose --help"
	local report_opts="--db --level --format --output --since --until --internal
		--config --geoip --asn --baseline --waivers --top --list --color --width --ca-file
		--system-ca --sensor --profile --help"
	local export_opts="--db --format --flow --since --until --output --after
		--cursor-file --help"
	local status_opts="--db --format --help"
	local forward_opts="--db --spool --timeout --help"
	local schema_opts="--postgresql --version --help"

	cmd=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		capture|export|report|audit|status|forward|schema|help) cmd=${words[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi

	# wireaudit help COMMAND
	if [[ $cmd == help ]]; then
		[[ $prev == help ]] && COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return
	fi

	# option values
	case $prev in
	-r|--read)
		_filedir '@(pcap|pcapng|cap|pcap.gz|pcapng.gz|gz)'
		return ;;
	-i|--interface)
		_available_interfaces
		return ;;
	-Z|--user)
		COMPREPLY=($(compgen -u -- "$cur"))
		return ;;
	-d|--db|--spool|--config|--ca-file|--system-ca|--eve-ca-file|--eve-cert|--eve-key|--keylog|\
	-o|--output|--baseline|--waivers|--cursor-file)
		_filedir
		return ;;
	--geoip|--asn)
		_filedir mmdb
		return ;;
	--profile)
		COMPREPLY=($(compgen -W "asvs5 pci-dss-4 nist-800-52r2 bsi-tr-02102-2 mozilla-modern mozilla-intermediate mozilla-old" -- "$cur"))
		_filedir profile
		return ;;
	--ndpi)
		COMPREPLY=($(compgen -W "unclaimed classify all" -- "$cur"))
		return ;;
	-l|--level)
		COMPREPLY=($(compgen -W "1 2 3" -- "$cur"))
		return ;;
	--color)
		COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
		return ;;
	-F|--format)
		case $cmd in
		report|audit) COMPREPLY=($(compgen -W "text json html md csv" -- "$cur")) ;;
		export) COMPREPLY=($(compgen -W "jsonl csv" -- "$cur")) ;;
		status) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		esac
		return ;;
	--eve)
		COMPREPLY=($(compgen -W "unix: unix-dgram: syslog syslog: syslog+udp:// syslog+tcp:// syslog+tls://" -- "$cur"))
		_filedir
		return ;;
	-f|--filter|-B|--buffer-size|-s|--snaplen|-c|--count|--duration|--max-flows|\
	--stream-cap|--checkpoint|--store-queue|--workers|--retain-flows|--retain-rollups|\
	--max-db-size|--sensor|--eve-stats|--eve-buffer|--spool-max|--spool-drain|\
	--community-id-seed|--since|--until|--internal|--top|--list|--flow|--after|\
	--timeout|--version)
		return ;;
	esac

	if [[ $cur == -* ]]; then
		local opts
		case $cmd in
		capture) opts=$capture_opts ;;
		audit) opts="$capture_opts $report_opts" ;;
		report) opts=$report_opts ;;
		export) opts=$export_opts ;;
		status) opts=$status_opts ;;
		forward) opts=$forward_opts ;;
		schema) opts=$schema_opts ;;
		esac
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	# audit's operands are capture files
	if [[ $cmd == audit ]]; then
		_filedir '@(pcap|pcapng|cap|pcap.gz|pcapng.gz|gz)'
	fi
} &&
	complete -F _wireaudit wireaudit
