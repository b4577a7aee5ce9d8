/* SPDX-License-Identifier: MIT */
/* params - the main.cf parameter table, its variables and type converters. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf/params.h"
#include "conf/tern_paths.h"
#include "util/buf.h"
#include "util/mem.h"

#define XSTR(x) STR(x)
#define STR(x) #x

/* Ranges: ints fit an int so daemons may narrow them; times fit an int so
 * "now + time" never overflows a time_t. */
#define INT_MAX_L ((long)INT_MAX)

char *var_config_dir;
char *var_queue_dir;
char *var_daemon_dir;
char *var_command_dir;
char *var_manpage_dir;
char *var_meta_dir;
char *var_sample_dir;
char *var_mail_owner;
char *var_auth_owner;
char *var_setgid_group;
char *var_mail_name;
char *var_mail_version;
char *var_myhostname;
char *var_mydomain;
char *var_myorigin;
char *var_auth_user_file;
char *var_syslog_name;
char *var_syslog_facility;
char *var_maillog_file;
char *var_smtpd_banner;
char *var_smtpd_tls_level;
char *var_smtpd_tls_cert_file;
char *var_smtpd_tls_key_file;
int var_smtpd_tls_wrappermode;
long var_smtpd_tls_scache_timeout;
long var_pop3d_timeout;
long var_pop3d_session_deadline;
char *var_pop3d_tls_level;
char *var_pop3d_tls_cert_file;
char *var_pop3d_tls_key_file;
int var_pop3d_tls_wrappermode;
int var_pop3d_tls_auth_only;
long var_imapd_timeout;
long var_imapd_session_deadline;
char *var_imapd_tls_level;
char *var_imapd_tls_cert_file;
char *var_imapd_tls_key_file;
int var_imapd_tls_wrappermode;
int var_imapd_tls_auth_only;
long var_imapd_max_line;
long var_imapd_idle_interval;
char *var_pop3_uidl_format;
char *var_login_default_domain;
char *var_tls_server_sni_maps;
long var_message_size_limit;
long var_queue_minfree;
long var_anvil_time_unit;
long var_cconn_limit;
long var_crate_limit;
long var_cmsg_limit;
long var_crcpt_limit;
long var_cauth_limit;
char *var_event_exceptions;
long var_header_size_limit;
long var_line_length_limit;
long var_smtpd_rcpt_limit;
long var_smtpd_rcpt_overlim;
long var_smtpd_timeout;
int var_smtpd_per_req_deadline;
long var_smtpd_min_data_rate;
long var_smtpd_session_deadline;
long var_smtpd_hard_erlim;
long var_smtpd_soft_erlim;
long var_smtpd_err_sleep;
int var_smtpd_helo_required;
int var_disable_vrfy_cmd;
int var_strict_rfc821_env;
long var_hopcount_limit;
char *var_smtpd_forbid_cmds;
char *var_rcpt_delim;
int var_smtpd_peername_lookup;
long var_smtpd_peername_tmout;
char *var_mydestination;
char *var_local_rcpt_maps;
char *var_home_mailbox;
char *var_mail_spool_dir;
long var_mailbox_size_limit;
char *var_default_privs;
long var_command_time_limit;
char *var_allow_commands;
char *var_allow_files;
char *var_virt_mailbox_domains;
char *var_virt_mailbox_maps;
char *var_virt_mailbox_base;
char *var_virt_alias_maps;
long var_virt_recur_limit;
long var_virt_expan_limit;
long var_dup_filter_limit;
char *var_virt_uid_maps;
char *var_virt_gid_maps;
long var_virt_minimum_uid;
char *var_alias_maps;
char *var_alias_db;
char *var_db_type;
long var_queue_run_delay;
long var_min_backoff_time;
long var_max_backoff_time;
long var_max_queue_time;
long var_dsn_queue_time;
long var_delay_warn_time;
long var_bounce_limit;
long var_init_dest_concurrency;
long var_dest_failed_cohorts;
char *var_double_bounce_sender;
char *var_2bounce_rcpt;
long var_proc_limit;
long var_use_limit;
long var_idle_limit;
long var_throttle_time;
long var_ipc_timeout;
long var_daemon_timeout;
long var_local_dest_concurrency;
long var_smtp_conn_tmout;
long var_smtp_helo_tmout;
long var_smtp_mail_tmout;
long var_smtp_rcpt_tmout;
long var_smtp_data0_tmout;
long var_smtp_data1_tmout;
long var_smtp_data2_tmout;
long var_smtp_rset_tmout;
long var_smtp_quit_tmout;
char *var_smtp_helo_name;
char *var_smtp_tls_level;
int var_smtpd_sasl_enable;
int var_smtpd_tls_auth_only;
int var_smtpd_auth_required;
char *var_smtpd_snd_auth_maps;
char *var_smtp_tls_cafile;
char *var_smtp_tls_policy_maps;
long var_smtp_tcp_port;
long var_smtp_mxaddr_limit;
long var_smtp_mxsess_limit;
long var_smtp_reuse_count;
long var_smtp_reuse_time;
char *var_transport_maps;
char *var_relayhost;
char *var_mynetworks;
char *var_relay_domains;
char *var_relay_checks;
char *var_rcpt_checks;
char *var_smtpd_null_key;
long var_unk_addr_code;
long var_dest_concurrency;
long var_dest_rcpt_limit;
char *var_dns_servers;
char *var_inet_protocols;

/* clang-format off */
#define P_STR(n, d, v, doc) {n, PARAM_STR, d, &v, 0, 0, doc}
#define P_INT(n, d, v, lo, doc) {n, PARAM_INT, XSTR(d), &v, lo, INT_MAX_L, doc}
#define P_SIZE(n, d, v, lo, doc) {n, PARAM_SIZE, XSTR(d), &v, lo, LONG_MAX, doc}
#define P_TIME(n, d, v, lo, doc) {n, PARAM_TIME, d, &v, lo, INT_MAX_L, doc}
#define P_BOOL(n, d, v, doc) {n, PARAM_BOOL, d, &v, 0, 1, doc}
/* clang-format on */

const struct param_def param_table[] = {
	P_STR(VAR_CONFIG_DIR, DEF_CONFIG_DIR, var_config_dir,
	    "directory holding main.cf and master.cf"),
	P_STR(VAR_QUEUE_DIR, DEF_QUEUE_DIR, var_queue_dir,
	    "root of the mail queue"),
	P_STR(VAR_DAEMON_DIR, DEF_DAEMON_DIR, var_daemon_dir,
	    "directory of the daemon programs"),
	P_STR(VAR_COMMAND_DIR, DEF_COMMAND_DIR, var_command_dir,
	    "directory of the administrative commands"),
	P_STR(VAR_MANPAGE_DIR, DEF_MANPAGE_DIR, var_manpage_dir,
	    "where the manual pages are installed"),
	P_STR(VAR_META_DIR, DEF_META_DIR, var_meta_dir,
	    "read-only files of the installation: the permissions manifest"),
	P_STR(VAR_SAMPLE_DIR, DEF_SAMPLE_DIR, var_sample_dir,
	    "the main.cf and master.cf templates as shipped"),
	P_STR(VAR_MAIL_OWNER, DEF_MAIL_OWNER, var_mail_owner,
	    "unprivileged account that owns the queue"),
	P_STR(VAR_SETGID_GROUP, DEF_SETGID_GROUP, var_setgid_group,
	    "group of ternpostdrop, maildrop/ and public/ for local submission"),
	P_STR(VAR_AUTH_OWNER, DEF_AUTH_OWNER, var_auth_owner,
	    "the user auth(8) runs as, alone able to read auth_user_file"),
	P_STR(VAR_MAIL_NAME, DEF_MAIL_NAME, var_mail_name,
	    "name of the mail system in banners and bounces"),
	P_STR(VAR_MAIL_VERSION, DEF_MAIL_VERSION, var_mail_version,
	    "version of the mail system"),
	P_STR(VAR_MYHOSTNAME, NULL, var_myhostname,
	    "fully qualified name of this host"),
	P_STR(VAR_MYDOMAIN, NULL, var_mydomain, "internet domain of this host"),
	P_STR(VAR_MYORIGIN, DEF_MYORIGIN, var_myorigin,
	    "domain appended to unqualified local addresses"),
	P_STR(VAR_AUTH_USER_FILE, DEF_AUTH_USER_FILE, var_auth_user_file,
	    "passwd-file user table of auth(8), edited by tern user"),
	P_STR(VAR_SYSLOG_NAME, DEF_SYSLOG_NAME, var_syslog_name,
	    "prefix of the program name in log lines"),
	P_STR(VAR_SYSLOG_FACILITY, DEF_SYSLOG_FACILITY, var_syslog_facility,
	    "syslog facility"),
	P_STR(VAR_MAILLOG_FILE, DEF_MAILLOG_FILE, var_maillog_file,
	    "log to this file instead of syslog when non-empty"),
	P_STR(VAR_SMTPD_BANNER, DEF_SMTPD_BANNER, var_smtpd_banner,
	    "text after 220 in the SMTP greeting"),
	P_STR(VAR_SMTPD_TLS_LEVEL, DEF_SMTPD_TLS_LEVEL, var_smtpd_tls_level,
	    "smtpd: TLS offered (none, may: STARTTLS, encrypt: required)"),
	P_STR(VAR_SMTPD_TLS_CERT_FILE, DEF_SMTPD_TLS_CERT_FILE,
	    var_smtpd_tls_cert_file,
	    "smtpd: PEM certificate chain files (RSA, ECDSA)"),
	P_STR(VAR_SMTPD_TLS_KEY_FILE, DEF_SMTPD_TLS_KEY_FILE,
	    var_smtpd_tls_key_file,
	    "smtpd: PEM private key files, paired with the certificates"),
	P_BOOL(VAR_SMTPD_TLS_WRAPPERMODE, "no", var_smtpd_tls_wrappermode,
	    "smtpd: TLS from the first byte (port 465), not STARTTLS"),
	P_TIME(VAR_SMTPD_TLS_SCACHE_TIMEOUT, DEF_SMTPD_TLS_SCACHE_TIMEOUT,
	    var_smtpd_tls_scache_timeout, 0,
	    "smtpd: TLS session lifetime for resumption (0: none)"),
	P_STR(VAR_TLS_SERVER_SNI_MAPS, "", var_tls_server_sni_maps,
	    "server name (SNI) => key and certificate chain files"),
	P_TIME(VAR_POP3D_TIMEOUT, DEF_POP3D_TIMEOUT, var_pop3d_timeout, 1,
	    "pop3d: idle time before a session is closed (RFC 1939: 10m)"),
	P_TIME(VAR_POP3D_SESSION_DEADLINE, DEF_POP3D_SESSION_DEADLINE,
	    var_pop3d_session_deadline, 0, "pop3d: longest session (0: none)"),
	P_STR(VAR_POP3D_TLS_LEVEL, "none", var_pop3d_tls_level,
	    "pop3d: TLS offered (none, may: STLS, encrypt: required)"),
	P_STR(VAR_POP3D_TLS_CERT_FILE, DEF_POP3D_TLS_CERT_FILE,
	    var_pop3d_tls_cert_file, "pop3d: PEM certificate chain files"),
	P_STR(VAR_POP3D_TLS_KEY_FILE, DEF_POP3D_TLS_KEY_FILE,
	    var_pop3d_tls_key_file, "pop3d: PEM private key files"),
	P_BOOL(VAR_POP3D_TLS_WRAPPERMODE, "no", var_pop3d_tls_wrappermode,
	    "pop3d: TLS from the first byte (port 995), not STLS"),
	P_BOOL(VAR_POP3D_TLS_AUTH_ONLY, "yes", var_pop3d_tls_auth_only,
	    "pop3d: no password login before TLS but from loopback"),
	P_TIME(VAR_IMAPD_TIMEOUT, DEF_IMAPD_TIMEOUT, var_imapd_timeout, 1,
	    "imapd: idle time before a session is closed (RFC 9051 5.4: 30m)"),
	P_TIME(VAR_IMAPD_SESSION_DEADLINE, DEF_IMAPD_SESSION_DEADLINE,
	    var_imapd_session_deadline, 0, "imapd: longest session (0: none)"),
	P_STR(VAR_IMAPD_TLS_LEVEL, "none", var_imapd_tls_level,
	    "imapd: TLS offered (none, may: STARTTLS, encrypt: required)"),
	P_STR(VAR_IMAPD_TLS_CERT_FILE, DEF_IMAPD_TLS_CERT_FILE,
	    var_imapd_tls_cert_file, "imapd: PEM certificate chain files"),
	P_STR(VAR_IMAPD_TLS_KEY_FILE, DEF_IMAPD_TLS_KEY_FILE,
	    var_imapd_tls_key_file, "imapd: PEM private key files"),
	P_BOOL(VAR_IMAPD_TLS_WRAPPERMODE, "no", var_imapd_tls_wrappermode,
	    "imapd: TLS from the first byte (port 993), not STARTTLS"),
	P_BOOL(VAR_IMAPD_TLS_AUTH_ONLY, "yes", var_imapd_tls_auth_only,
	    "imapd: no password login before TLS but from loopback"),
	P_SIZE(VAR_IMAPD_MAX_LINE, DEF_IMAPD_MAX_LINE, var_imapd_max_line, 8192,
	    "imapd: longest command after login, literals aside"),
	P_TIME(VAR_IMAPD_IDLE_INTERVAL, DEF_IMAPD_IDLE_INTERVAL,
	    var_imapd_idle_interval, 1,
	    "imapd: IDLE's look for changes without inotify"),
	P_STR(VAR_POP3_UIDL_FORMAT, DEF_POP3_UIDL_FORMAT, var_pop3_uidl_format,
	    "pop3d: UIDL format, Dovecot's variables"),
	P_STR(VAR_LOGIN_DEFAULT_DOMAIN, DEF_LOGIN_DEFAULT_DOMAIN,
	    var_login_default_domain,
	    "pop3d: domain added to a login name without one"),
	P_BOOL(VAR_SMTPD_SASL_ENABLE, "no", var_smtpd_sasl_enable,
	    "smtpd: offer SMTP AUTH (through auth(8))"),
	P_BOOL(VAR_SMTPD_TLS_AUTH_ONLY, "yes", var_smtpd_tls_auth_only,
	    "smtpd: offer SMTP AUTH only once TLS runs"),
	P_BOOL(VAR_SMTPD_AUTH_REQUIRED, "no", var_smtpd_auth_required,
	    "smtpd: MAIL before AUTH gets 530 (submission)"),
	P_STR(VAR_SMTPD_SND_AUTH_MAPS, DEF_SMTPD_SND_AUTH_MAPS,
	    var_smtpd_snd_auth_maps,
	    "smtpd: sender address -> login names allowed to use it"),
	P_SIZE(VAR_MESSAGE_SIZE_LIMIT, DEF_MESSAGE_SIZE_LIMIT,
	    var_message_size_limit, 0,
	    "maximal message size in bytes (0: no limit)"),
	P_TIME(VAR_ANVIL_TIME_UNIT, DEF_ANVIL_TIME_UNIT, var_anvil_time_unit, 1,
	    "anvil: the window of the client rate limits"),
	P_INT(VAR_CCONN_LIMIT, DEF_CCONN_LIMIT, var_cconn_limit, 0,
	    "smtpd: connections open at once from one client (0: no limit)"),
	P_INT(VAR_CRATE_LIMIT, DEF_CRATE_LIMIT, var_crate_limit, 0,
	    "smtpd: connections from one client per window (0: no limit)"),
	P_INT(VAR_CMSG_LIMIT, DEF_CMSG_LIMIT, var_cmsg_limit, 0,
	    "smtpd: MAIL FROMs from one client per window (0: no limit)"),
	P_INT(VAR_CRCPT_LIMIT, DEF_CRCPT_LIMIT, var_crcpt_limit, 0,
	    "smtpd: RCPT TOs from one client per window (0: no limit)"),
	P_INT(VAR_CAUTH_LIMIT, DEF_CAUTH_LIMIT, var_cauth_limit, 0,
	    "smtpd: AUTH commands from one client per window (0: no limit)"),
	P_STR(VAR_EVENT_EXCEPTIONS, DEF_EVENT_EXCEPTIONS, var_event_exceptions,
	    "smtpd: clients the client limits do not apply to"),
	P_SIZE(VAR_QUEUE_MINFREE, DEF_QUEUE_MINFREE, var_queue_minfree, 0,
	    "free queue space in bytes below which smtpd takes no mail"),
	P_SIZE(VAR_HEADER_SIZE_LIMIT, DEF_HEADER_SIZE_LIMIT,
	    var_header_size_limit, 1024,
	    "maximal size of one message header in bytes"),
	P_INT(VAR_LINE_LENGTH_LIMIT, DEF_LINE_LENGTH_LIMIT,
	    var_line_length_limit, 512, "maximal SMTP line length in bytes"),
	P_INT(VAR_SMTPD_RCPT_LIMIT, DEF_SMTPD_RCPT_LIMIT, var_smtpd_rcpt_limit,
	    1, "maximal number of recipients per message"),
	P_INT(VAR_SMTPD_RCPT_OVERLIM, DEF_SMTPD_RCPT_OVERLIM,
	    var_smtpd_rcpt_overlim, 0,
	    "RCPTs over the limit answered 452 without counting as errors"),
	P_TIME(VAR_SMTPD_TIMEOUT, DEF_SMTPD_TIMEOUT, var_smtpd_timeout, 1,
	    "SMTP server read and write timeout"),
	P_BOOL(VAR_SMTPD_PER_REQ_DEADLINE, "yes", var_smtpd_per_req_deadline,
	    "smtpd_timeout bounds a whole command or DATA, not one read"),
	P_INT(VAR_SMTPD_MIN_DATA_RATE, DEF_SMTPD_MIN_DATA_RATE,
	    var_smtpd_min_data_rate, 1,
	    "bytes per second that extend the DATA deadline by one second"),
	P_TIME(VAR_SMTPD_SESSION_DEADLINE, DEF_SMTPD_SESSION_DEADLINE,
	    var_smtpd_session_deadline, 0,
	    "time limit of a whole SMTP session (0: none)"),
	P_INT(VAR_SMTPD_HARD_ERLIM, DEF_SMTPD_HARD_ERLIM, var_smtpd_hard_erlim,
	    1, "errors after which the SMTP server disconnects"),
	P_INT(VAR_SMTPD_SOFT_ERLIM, DEF_SMTPD_SOFT_ERLIM, var_smtpd_soft_erlim,
	    0, "errors after which the SMTP server sleeps before replying"),
	P_TIME(VAR_SMTPD_ERR_SLEEP, DEF_SMTPD_ERR_SLEEP, var_smtpd_err_sleep, 0,
	    "delay before an error reply past the soft limit"),
	P_BOOL(VAR_SMTPD_HELO_REQUIRED, "no", var_smtpd_helo_required,
	    "require HELO or EHLO before MAIL FROM"),
	P_BOOL(VAR_DISABLE_VRFY_CMD, "yes", var_disable_vrfy_cmd,
	    "refuse the VRFY command"),
	P_BOOL(VAR_STRICT_RFC821_ENV, "no", var_strict_rfc821_env,
	    "require <> around MAIL FROM and RCPT TO addresses"),
	P_INT(VAR_HOPCOUNT_LIMIT, DEF_HOPCOUNT_LIMIT, var_hopcount_limit, 1,
	    "maximal number of Received: headers"),
	P_STR(VAR_SMTPD_FORBID_CMDS, DEF_SMTPD_FORBID_CMDS,
	    var_smtpd_forbid_cmds,
	    "commands (not SMTP) after which the SMTP server disconnects"),
	P_STR(VAR_RCPT_DELIM, DEF_RCPT_DELIM, var_rcpt_delim,
	    "separators between user name and address extension"),
	P_BOOL(VAR_SMTPD_PEERNAME_LOOKUP, DEF_SMTPD_PEERNAME_LOOKUP,
	    var_smtpd_peername_lookup,
	    "look up the client's name in the DNS (forward-confirmed)"),
	P_TIME(VAR_SMTPD_PEERNAME_TMOUT, DEF_SMTPD_PEERNAME_TMOUT,
	    var_smtpd_peername_tmout, 1,
	    "time limit of the client name lookups at connect"),
	P_STR(VAR_MYDESTINATION, DEF_MYDESTINATION, var_mydestination,
	    "domains delivered to the system's users"),
	P_STR(VAR_LOCAL_RCPT_MAPS, DEF_LOCAL_RCPT_MAPS, var_local_rcpt_maps,
	    "tables of the user names local domains accept"),
	P_STR(VAR_HOME_MAILBOX, DEF_HOME_MAILBOX, var_home_mailbox,
	    "a local user's mailbox, relative to the home directory"),
	P_STR(VAR_MAIL_SPOOL_DIR, DEF_MAIL_SPOOL_DIR, var_mail_spool_dir,
	    "where users' mbox files are when home_mailbox is empty"),
	P_SIZE(VAR_MAILBOX_SIZE_LIMIT, DEF_MAILBOX_SIZE_LIMIT,
	    var_mailbox_size_limit, 0,
	    "largest mbox file or file that local delivery appends to"),
	P_STR(VAR_DEFAULT_PRIVS, DEF_DEFAULT_PRIVS, var_default_privs,
	    "the user that commands and files in aliases run as"),
	P_TIME(VAR_COMMAND_TIME_LIMIT, DEF_COMMAND_TIME_LIMIT,
	    var_command_time_limit, 1, "time limit of a delivery to a command"),
	P_STR(VAR_ALLOW_COMMANDS, DEF_ALLOW_COMMANDS, var_allow_commands,
	    "where |command deliveries are allowed (alias, forward, include)"),
	P_STR(VAR_ALLOW_FILES, DEF_ALLOW_FILES, var_allow_files,
	    "where /file deliveries are allowed (alias, forward, include)"),
	P_STR(VAR_VIRT_MAILBOX_DOMAINS, DEF_VIRT_MAILBOX_DOMAINS,
	    var_virt_mailbox_domains, "virtual mailbox domains"),
	P_STR(VAR_VIRT_MAILBOX_MAPS, DEF_VIRT_MAILBOX_MAPS,
	    var_virt_mailbox_maps, "tables of virtual mailbox paths"),
	P_STR(VAR_VIRT_MAILBOX_BASE, DEF_VIRT_MAILBOX_BASE,
	    var_virt_mailbox_base, "prefix of virtual mailbox paths"),
	P_STR(VAR_VIRT_ALIAS_MAPS, DEF_VIRT_ALIAS_MAPS, var_virt_alias_maps,
	    "tables of virtual aliases"),
	P_INT(VAR_VIRT_RECUR_LIMIT, DEF_VIRT_RECUR_LIMIT, var_virt_recur_limit,
	    1, "maximal depth of virtual alias nesting"),
	P_INT(VAR_VIRT_EXPAN_LIMIT, DEF_VIRT_EXPAN_LIMIT, var_virt_expan_limit,
	    1, "maximal number of addresses from one virtual alias expansion"),
	P_INT(VAR_DUP_FILTER_LIMIT, DEF_DUP_FILTER_LIMIT, var_dup_filter_limit,
	    0,
	    "recipients the duplicate filter remembers per message (0: all)"),
	P_STR(VAR_VIRT_UID_MAPS, DEF_VIRT_UID_MAPS, var_virt_uid_maps,
	    "tables of user ids for virtual mailboxes"),
	P_STR(VAR_VIRT_GID_MAPS, DEF_VIRT_GID_MAPS, var_virt_gid_maps,
	    "tables of group ids for virtual mailboxes"),
	P_INT(VAR_VIRT_MINIMUM_UID, DEF_VIRT_MINIMUM_UID, var_virt_minimum_uid,
	    1, "smallest user id accepted for virtual mailboxes"),
	P_STR(VAR_ALIAS_MAPS, DEF_ALIAS_MAPS, var_alias_maps,
	    "local: aliases(5) tables of local names, in search order"),
	P_STR(VAR_ALIAS_DB, DEF_ALIAS_DB, var_alias_db,
	    "alias tables newaliases builds from their aliases(5) sources"),
	P_STR(VAR_DB_TYPE, DEF_DB_TYPE, var_db_type,
	    "table type used when a name has no type: prefix"),
	P_TIME(VAR_QUEUE_RUN_DELAY, DEF_QUEUE_RUN_DELAY, var_queue_run_delay, 1,
	    "interval between scans of the deferred queue"),
	P_TIME(VAR_MIN_BACKOFF_TIME, DEF_MIN_BACKOFF_TIME, var_min_backoff_time,
	    1, "minimal delay before a retry"),
	P_TIME(VAR_MAX_BACKOFF_TIME, DEF_MAX_BACKOFF_TIME, var_max_backoff_time,
	    1, "maximal delay before a retry"),
	P_TIME(VAR_MAX_QUEUE_TIME, DEF_MAX_QUEUE_TIME, var_max_queue_time, 0,
	    "age after which undeliverable mail is bounced"),
	P_TIME(VAR_DSN_QUEUE_TIME, DEF_DSN_QUEUE_TIME, var_dsn_queue_time, 0,
	    "age after which an undeliverable bounce is dropped"),
	P_TIME(VAR_DELAY_WARN_TIME, DEF_DELAY_WARN_TIME, var_delay_warn_time, 0,
	    "age at which a delay warning is sent (0: never)"),
	P_INT(VAR_BOUNCE_LIMIT, DEF_BOUNCE_LIMIT, var_bounce_limit, 1,
	    "largest original message returned whole in a bounce"),
	P_INT(VAR_INIT_DEST_CONCURRENCY, DEF_INIT_DEST_CONCURRENCY,
	    var_init_dest_concurrency, 1,
	    "SMTP connections to a next hop before the first success"),
	P_INT(VAR_DEST_FAILED_COHORTS, DEF_DEST_FAILED_COHORTS,
	    var_dest_failed_cohorts, 1,
	    "failures at concurrency 1 after which a next hop is suspended"),
	P_STR(VAR_DOUBLE_BOUNCE_SENDER, DEF_DOUBLE_BOUNCE_SENDER,
	    var_double_bounce_sender, "sender of undeliverable-bounce notices"),
	P_STR(VAR_2BOUNCE_RCPT, DEF_2BOUNCE_RCPT, var_2bounce_rcpt,
	    "recipient of undeliverable-bounce notices"),
	P_INT(VAR_PROC_LIMIT, DEF_PROC_LIMIT, var_proc_limit, 1,
	    "default maximal number of processes per service"),
	P_INT(VAR_USE_LIMIT, DEF_USE_LIMIT, var_use_limit, 1,
	    "requests a daemon serves before it exits"),
	P_TIME(VAR_IDLE_LIMIT, DEF_IDLE_LIMIT, var_idle_limit, 1,
	    "idle time after which a daemon exits"),
	P_TIME(VAR_THROTTLE_TIME, DEF_THROTTLE_TIME, var_throttle_time, 1,
	    "pause before restarting a failing service"),
	P_TIME(VAR_IPC_TIMEOUT, DEF_IPC_TIMEOUT, var_ipc_timeout, 1,
	    "timeout of one request between daemons"),
	P_TIME(VAR_DAEMON_TIMEOUT, DEF_DAEMON_TIMEOUT, var_daemon_timeout, 1,
	    "time after which a stuck daemon is killed"),
	P_INT(VAR_LOCAL_DEST_CONCURRENCY, DEF_LOCAL_DEST_CONCURRENCY,
	    var_local_dest_concurrency, 1,
	    "parallel local deliveries to one recipient"),
	P_TIME(VAR_SMTP_CONN_TMOUT, DEF_SMTP_CONN_TMOUT, var_smtp_conn_tmout, 1,
	    "SMTP client: time to set up a TCP connection"),
	P_TIME(VAR_SMTP_HELO_TMOUT, DEF_SMTP_HELO_TMOUT, var_smtp_helo_tmout, 1,
	    "SMTP client: wait for the greeting and the EHLO reply"),
	P_TIME(VAR_SMTP_MAIL_TMOUT, DEF_SMTP_MAIL_TMOUT, var_smtp_mail_tmout, 1,
	    "SMTP client: wait for the MAIL FROM reply"),
	P_TIME(VAR_SMTP_RCPT_TMOUT, DEF_SMTP_RCPT_TMOUT, var_smtp_rcpt_tmout, 1,
	    "SMTP client: wait for each RCPT TO reply"),
	P_TIME(VAR_SMTP_DATA0_TMOUT, DEF_SMTP_DATA0_TMOUT, var_smtp_data0_tmout,
	    1, "SMTP client: wait for the DATA reply"),
	P_TIME(VAR_SMTP_DATA1_TMOUT, DEF_SMTP_DATA1_TMOUT, var_smtp_data1_tmout,
	    1, "SMTP client: time for each write of the message content"),
	P_TIME(VAR_SMTP_DATA2_TMOUT, DEF_SMTP_DATA2_TMOUT, var_smtp_data2_tmout,
	    1, "SMTP client: wait for the reply to the final dot"),
	P_TIME(VAR_SMTP_RSET_TMOUT, DEF_SMTP_RSET_TMOUT, var_smtp_rset_tmout, 1,
	    "SMTP client: wait for the RSET reply"),
	P_TIME(VAR_SMTP_QUIT_TMOUT, DEF_SMTP_QUIT_TMOUT, var_smtp_quit_tmout, 1,
	    "SMTP client: wait for the QUIT reply"),
	P_STR(VAR_SMTP_TLS_LEVEL, DEF_SMTP_TLS_LEVEL, var_smtp_tls_level,
	    "smtp: TLS (none, may, encrypt, verify, secure)"),
	P_STR(VAR_SMTP_TLS_CAFILE, DEF_SMTP_TLS_CAFILE, var_smtp_tls_cafile,
	    "smtp: trusted CAs (PEM; empty: the system's store)"),
	P_STR(VAR_SMTP_TLS_POLICY_MAPS, DEF_SMTP_TLS_POLICY_MAPS,
	    var_smtp_tls_policy_maps,
	    "smtp: TLS level per destination (\"level [match=name]\")"),
	P_STR(VAR_SMTP_HELO_NAME, DEF_SMTP_HELO_NAME, var_smtp_helo_name,
	    "host name the SMTP client sends with EHLO or HELO"),
	{ VAR_SMTP_TCP_PORT, PARAM_INT, XSTR(DEF_SMTP_TCP_PORT),
	    &var_smtp_tcp_port, 1, 65535,
	    "TCP port the SMTP client connects to unless a next hop names one" },
	P_INT(VAR_SMTP_MXADDR_LIMIT, DEF_SMTP_MXADDR_LIMIT,
	    var_smtp_mxaddr_limit, 0,
	    "server addresses tried per delivery (0: no limit)"),
	P_INT(VAR_SMTP_MXSESS_LIMIT, DEF_SMTP_MXSESS_LIMIT,
	    var_smtp_mxsess_limit, 0,
	    "servers that greeted but failed, per delivery (0: no limit)"),
	P_INT(VAR_SMTP_REUSE_COUNT, DEF_SMTP_REUSE_COUNT, var_smtp_reuse_count,
	    0, "messages one SMTP connection carries (0: no limit)"),
	P_TIME(VAR_SMTP_REUSE_TIME, DEF_SMTP_REUSE_TIME, var_smtp_reuse_time, 1,
	    "time an SMTP connection may be reused after it opened"),
	P_STR(VAR_TRANSPORT_MAPS, DEF_TRANSPORT_MAPS, var_transport_maps,
	    "tables from address or domain to transport:nexthop"),
	P_STR(VAR_RELAYHOST, DEF_RELAYHOST, var_relayhost,
	    "next hop for all mail to other domains (empty: MX lookup)"),
	P_STR(VAR_MYNETWORKS, DEF_MYNETWORKS, var_mynetworks,
	    "client networks smtpd trusts to relay (permit_mynetworks)"),
	P_STR(VAR_RELAY_DOMAINS, DEF_RELAY_DOMAINS, var_relay_domains,
	    "other domains smtpd accepts mail for from any client"),
	P_STR(VAR_RELAY_CHECKS, DEF_RELAY_CHECKS, var_relay_checks,
	    "smtpd: relay restrictions applied to each RCPT first"),
	P_STR(VAR_RCPT_CHECKS, DEF_RCPT_CHECKS, var_rcpt_checks,
	    "smtpd: recipient restrictions applied after the relay ones"),
	P_STR(VAR_SMTPD_NULL_KEY, DEF_SMTPD_NULL_KEY, var_smtpd_null_key,
	    "smtpd: access table key that stands for the null sender"),
	{ VAR_UNK_ADDR_CODE, PARAM_INT, XSTR(DEF_UNK_ADDR_CODE),
	    &var_unk_addr_code, 400, 599,
	    "smtpd: reply code for an unknown sender or recipient domain" },
	/* At most SMTP_MAX_BATCH, what one smtp(8) request may carry. */
	{ VAR_DEST_RCPT_LIMIT, PARAM_INT, XSTR(DEF_DEST_RCPT_LIMIT),
	    &var_dest_rcpt_limit, 1, 1000,
	    "recipients in one SMTP delivery request at most" },
	P_INT(VAR_DEST_CONCURRENCY, DEF_DEST_CONCURRENCY, var_dest_concurrency,
	    1, "parallel SMTP deliveries to one next hop"),
	P_STR(VAR_DNS_SERVERS, DEF_DNS_SERVERS, var_dns_servers,
	    "DNS servers to ask (addr[:port] list); empty: resolv.conf"),
	P_STR(VAR_INET_PROTOCOLS, DEF_INET_PROTOCOLS, var_inet_protocols,
	    "address families used for outbound mail: all, ipv4, ipv6"),
};

const size_t param_table_count = sizeof(param_table) / sizeof(param_table[0]);

const struct param_def *
param_find(const char *name)
{
	size_t i;

	for (i = 0; i < param_table_count; i++)
		if (strcmp(param_table[i].name, name) == 0)
			return &param_table[i];
	return NULL;
}

char *
param_hostname_default(const char *host)
{
	struct buf b;
	char *s;

	if (*host == 0)
		host = "localhost";
	if (strchr(host, '.') != NULL)
		return xstrdup(host);
	buf_init(&b, BUF_MAX_INTERNAL);
	if (buf_puts(&b, host) < 0 || buf_puts(&b, ".localdomain") < 0)
		buf_set(&b, "localhost.localdomain");
	s = buf_steal(&b);
	buf_deinit(&b);
	return s;
}

char *
param_domain_default(const char *myhostname)
{
	const char *dot = strchr(myhostname, '.');

	if (dot == NULL || dot[1] == 0)
		return xstrdup("localdomain");
	return xstrdup(dot + 1);
}

const char *
param_default(const struct param_def *p)
{
	static char *hostname, *domain;

	if (p->def != NULL)
		return p->def;
	if (hostname == NULL) {
		char host[256];

		if (gethostname(host, sizeof(host)) < 0)
			host[0] = 0;
		host[sizeof(host) - 1] = 0;
		hostname = param_hostname_default(host);
		domain = param_domain_default(hostname);
	}
	if (strcmp(p->name, VAR_MYHOSTNAME) == 0)
		return hostname;
	if (strcmp(p->name, VAR_MYDOMAIN) == 0)
		return domain;
	return "";
}

/* Levenshtein distance between a and b, stopping at limit + 1 (names are
 * short: at most PARAM_NAME_SUGGEST_MAX bytes are compared). */
#define PARAM_NAME_SUGGEST_MAX 64

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[PARAM_NAME_SUGGEST_MAX + 1];

	if (la > PARAM_NAME_SUGGEST_MAX || lb > PARAM_NAME_SUGGEST_MAX)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], up;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best;

			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *
param_suggest(const char *name)
{
	const char *best = NULL;
	size_t i, d, best_d = (size_t)-1, limit;

	/* A typo is a few edits; a different word is not one. */
	limit = strlen(name) / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (i = 0; i < param_table_count; i++) {
		d = edit_distance(name, param_table[i].name);
		if (d < best_d) {
			best_d = d;
			best = param_table[i].name;
		}
	}
	return best_d <= limit ? best : NULL;
}

/* Parse a decimal number: optional sign (when allow_neg), digits, then
 * *end points past the digits. No leading white space (strtol would skip
 * it), no empty digit string. */
static int
parse_number(const char *text, int allow_neg, long *value_r, const char **end_r)
{
	char *end;
	long v;

	if (!(isdigit((unsigned char)text[0]) ||
		(allow_neg && text[0] == '-' &&
		    isdigit((unsigned char)text[1]))))
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0)
		return -1;
	*value_r = v;
	*end_r = end;
	return 0;
}

int
param_parse_int(const char *text, long *value_r, const char **error_r)
{
	const char *end;
	long v;

	if (parse_number(text, 1, &v, &end) < 0 || *end != 0) {
		*error_r = "bad integer value";
		return -1;
	}
	*value_r = v;
	return 0;
}

int
param_parse_size(const char *text, long *value_r, const char **error_r)
{
	const char *end;
	long v;

	if (parse_number(text, 0, &v, &end) < 0 || *end != 0) {
		*error_r = "bad size value";
		return -1;
	}
	*value_r = v;
	return 0;
}

int
param_parse_time(const char *text, long *value_r, const char **error_r)
{
	const char *end;
	long v, mult;

	if (parse_number(text, 0, &v, &end) < 0) {
		*error_r = "bad time value";
		return -1;
	}
	switch (*end) {
	case 0:
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	default:
		*error_r = "bad time value";
		return -1;
	}
	if (*end != 0 && end[1] != 0) {
		*error_r = "bad time value";
		return -1;
	}
	if (__builtin_mul_overflow(v, mult, &v)) {
		*error_r = "bad time value";
		return -1;
	}
	*value_r = v;
	return 0;
}

int
param_parse_bool(const char *text, int *value_r, const char **error_r)
{
	if (strcasecmp(text, "yes") == 0 || strcasecmp(text, "true") == 0 ||
	    strcmp(text, "1") == 0) {
		*value_r = 1;
		return 0;
	}
	if (strcasecmp(text, "no") == 0 || strcasecmp(text, "false") == 0 ||
	    strcmp(text, "0") == 0) {
		*value_r = 0;
		return 0;
	}
	*error_r = "bad boolean value";
	return -1;
}

const char *
param_type_name(enum param_type type)
{
	switch (type) {
	case PARAM_STR:
		return "string";
	case PARAM_INT:
		return "integer";
	case PARAM_BOOL:
		return "boolean";
	case PARAM_TIME:
		return "time";
	case PARAM_SIZE:
		return "size";
	}
	return "unknown";
}
