/* params - the one table of main.cf parameters: names, defaults, variables.
 * Every parameter has a VAR_X name macro, a DEF_X default macro and a global
 * variable var_x, and one row in param_table (name, type, default text,
 * variable, range, one-line doc). Types: string (char *, xstrdup'd by the
 * config loader and owned by it; NULL until config_load() or
 * config_load_defaults() ran, never NULL afterwards), int and size (long),
 * time (long seconds; the text is an integer with an optional unit s, m, h,
 * d or w), bool (int 0/1; text yes/no/true/false/1/0, any case). The loader
 * (config.h) converts and range-checks every row; the converters here are
 * pure functions that return -1 with a static *error_r on bad text. Two
 * defaults are computed at run time: myhostname (gethostname(), with
 * ".localdomain" appended when it has no dot) and mydomain (myhostname
 * without its first label, or "localdomain"). The path defaults (DEF_*_DIR)
 * expand to the build's TERN_*_DIR from the generated conf/tern_paths.h
 * (CMake cache variables), which only the code that uses them includes;
 * TERN_VERSION comes from the build too. Not thread-safe. */
#ifndef TERN_MAIL_PARAMS_H
#define TERN_MAIL_PARAMS_H

#include <stddef.h>

#ifndef TERN_VERSION
#define TERN_VERSION "0.0.0"
#endif

enum param_type {
	PARAM_STR,
	PARAM_INT,
	PARAM_BOOL,
	PARAM_TIME,
	PARAM_SIZE,
};

struct param_def {
	const char *name;
	enum param_type type;
	const char *def; /* default text; NULL: computed (param_default) */
	void *var;       /* char **, long * or int * by type */
	long min, max;   /* int, time, size: enforced by the loader */
	const char *doc; /* one line for humans */
};

/* Paths and identity. */
#define VAR_CONFIG_DIR "config_directory"
#define DEF_CONFIG_DIR TERN_CONFIG_DIR
extern char *var_config_dir;
#define VAR_QUEUE_DIR "queue_directory"
#define DEF_QUEUE_DIR TERN_QUEUE_DIR
extern char *var_queue_dir;
#define VAR_DAEMON_DIR "daemon_directory"
#define DEF_DAEMON_DIR TERN_DAEMON_DIR
extern char *var_daemon_dir;
#define VAR_COMMAND_DIR "command_directory"
#define DEF_COMMAND_DIR TERN_COMMAND_DIR
extern char *var_command_dir;
#define VAR_MANPAGE_DIR "manpage_directory"
#define DEF_MANPAGE_DIR TERN_MAN_DIR
extern char *var_manpage_dir;
#define VAR_META_DIR "meta_directory"
#define DEF_META_DIR TERN_DATA_DIR
extern char *var_meta_dir;
#define VAR_SAMPLE_DIR "sample_directory"
#define DEF_SAMPLE_DIR TERN_SAMPLE_DIR
extern char *var_sample_dir;
#define VAR_MAIL_OWNER "mail_owner"
#define DEF_MAIL_OWNER "tern"
extern char *var_mail_owner;
/* The group of ternpostdrop(1), set-group-id, and of maildrop/ and
 * public/: how a user who does not own the queue submits mail. */
#define VAR_SETGID_GROUP "setgid_group"
#define DEF_SETGID_GROUP "terndrop"
extern char *var_setgid_group;
#define VAR_AUTH_OWNER "auth_owner"
#define DEF_AUTH_OWNER "ternauth"
extern char *var_auth_owner;
#define VAR_MAIL_NAME "mail_name"
#define DEF_MAIL_NAME "Tern"
extern char *var_mail_name;
#define VAR_MAIL_VERSION "mail_version"
#define DEF_MAIL_VERSION TERN_VERSION
extern char *var_mail_version;
#define VAR_MYHOSTNAME "myhostname"
extern char *var_myhostname; /* default computed */
#define VAR_MYDOMAIN "mydomain"
extern char *var_mydomain; /* default computed */
#define VAR_MYORIGIN "myorigin"
#define DEF_MYORIGIN "$myhostname"
extern char *var_myorigin;

/* Authentication. */
#define VAR_AUTH_USER_FILE "auth_user_file"
#define DEF_AUTH_USER_FILE "$config_directory/users"
extern char *var_auth_user_file;

/* TLS in the SMTP server (smtpd_tls.h). */
#define VAR_SMTPD_TLS_LEVEL "smtpd_tls_security_level"
#define DEF_SMTPD_TLS_LEVEL "none"
extern char *var_smtpd_tls_level;
#define VAR_SMTPD_TLS_CERT_FILE "smtpd_tls_cert_file"
#define DEF_SMTPD_TLS_CERT_FILE ""
extern char *var_smtpd_tls_cert_file;
#define VAR_SMTPD_TLS_KEY_FILE "smtpd_tls_key_file"
#define DEF_SMTPD_TLS_KEY_FILE "$smtpd_tls_cert_file"
extern char *var_smtpd_tls_key_file;
#define VAR_SMTPD_TLS_WRAPPERMODE "smtpd_tls_wrappermode"
extern int var_smtpd_tls_wrappermode;
#define VAR_SMTPD_TLS_SCACHE_TIMEOUT "smtpd_tls_session_cache_timeout"
#define DEF_SMTPD_TLS_SCACHE_TIMEOUT "3600s"
extern long var_smtpd_tls_scache_timeout;
#define VAR_TLS_SERVER_SNI_MAPS "tls_server_sni_maps"
extern char *var_tls_server_sni_maps;

/* The POP3 server (pop3d.h). */
#define VAR_POP3D_TIMEOUT "pop3d_timeout"
#define DEF_POP3D_TIMEOUT "600s"
extern long var_pop3d_timeout;
#define VAR_POP3D_SESSION_DEADLINE "pop3d_session_deadline"
#define DEF_POP3D_SESSION_DEADLINE "3600s"
extern long var_pop3d_session_deadline;
#define VAR_POP3D_TLS_LEVEL "pop3d_tls_security_level"
extern char *var_pop3d_tls_level;
#define VAR_POP3D_TLS_CERT_FILE "pop3d_tls_cert_file"
#define DEF_POP3D_TLS_CERT_FILE "$smtpd_tls_cert_file"
extern char *var_pop3d_tls_cert_file;
#define VAR_POP3D_TLS_KEY_FILE "pop3d_tls_key_file"
#define DEF_POP3D_TLS_KEY_FILE "$smtpd_tls_key_file"
extern char *var_pop3d_tls_key_file;
#define VAR_POP3D_TLS_WRAPPERMODE "pop3d_tls_wrappermode"
extern int var_pop3d_tls_wrappermode;
#define VAR_POP3D_TLS_AUTH_ONLY "pop3d_tls_auth_only"
extern int var_pop3d_tls_auth_only;
/* The IMAP server (imapd.h). */
#define VAR_IMAPD_TIMEOUT "imapd_timeout"
#define DEF_IMAPD_TIMEOUT "1800s"
extern long var_imapd_timeout;
#define VAR_IMAPD_SESSION_DEADLINE "imapd_session_deadline"
#define DEF_IMAPD_SESSION_DEADLINE "0"
extern long var_imapd_session_deadline;
#define VAR_IMAPD_TLS_LEVEL "imapd_tls_security_level"
extern char *var_imapd_tls_level;
#define VAR_IMAPD_TLS_CERT_FILE "imapd_tls_cert_file"
#define DEF_IMAPD_TLS_CERT_FILE "$smtpd_tls_cert_file"
extern char *var_imapd_tls_cert_file;
#define VAR_IMAPD_TLS_KEY_FILE "imapd_tls_key_file"
#define DEF_IMAPD_TLS_KEY_FILE "$smtpd_tls_key_file"
extern char *var_imapd_tls_key_file;
#define VAR_IMAPD_TLS_WRAPPERMODE "imapd_tls_wrappermode"
extern int var_imapd_tls_wrappermode;
#define VAR_IMAPD_TLS_AUTH_ONLY "imapd_tls_auth_only"
extern int var_imapd_tls_auth_only;
#define VAR_IMAPD_MAX_LINE "imapd_max_line_length"
#define DEF_IMAPD_MAX_LINE 65536
extern long var_imapd_max_line;
#define VAR_IMAPD_IDLE_INTERVAL "imapd_idle_notify_interval"
#define DEF_IMAPD_IDLE_INTERVAL "1s"
extern long var_imapd_idle_interval;
#define VAR_POP3_UIDL_FORMAT "pop3_uidl_format"
#define DEF_POP3_UIDL_FORMAT "%08Xu%08Xv"
extern char *var_pop3_uidl_format;
#define VAR_LOGIN_DEFAULT_DOMAIN "login_default_domain"
#define DEF_LOGIN_DEFAULT_DOMAIN "$myorigin"
extern char *var_login_default_domain;

/* SMTP AUTH in the SMTP server (smtpd_auth.h). */
#define VAR_SMTPD_SASL_ENABLE "smtpd_sasl_auth_enable"
extern int var_smtpd_sasl_enable;
#define VAR_SMTPD_TLS_AUTH_ONLY "smtpd_tls_auth_only"
extern int var_smtpd_tls_auth_only;
#define VAR_SMTPD_AUTH_REQUIRED "smtpd_auth_required"
extern int var_smtpd_auth_required;
#define VAR_SMTPD_SND_AUTH_MAPS "smtpd_sender_login_maps"
#define DEF_SMTPD_SND_AUTH_MAPS ""
extern char *var_smtpd_snd_auth_maps;

/* TLS in the SMTP client (smtp.h). */
#define VAR_SMTP_TLS_LEVEL "smtp_tls_security_level"
#define DEF_SMTP_TLS_LEVEL "may"
extern char *var_smtp_tls_level;
#define VAR_SMTP_TLS_CAFILE "smtp_tls_CAfile"
#define DEF_SMTP_TLS_CAFILE ""
extern char *var_smtp_tls_cafile;
#define VAR_SMTP_TLS_POLICY_MAPS "smtp_tls_policy_maps"
#define DEF_SMTP_TLS_POLICY_MAPS ""
extern char *var_smtp_tls_policy_maps;

/* Logging. */
#define VAR_SYSLOG_NAME "syslog_name"
#define DEF_SYSLOG_NAME "tern"
extern char *var_syslog_name;
#define VAR_SYSLOG_FACILITY "syslog_facility"
#define DEF_SYSLOG_FACILITY "mail"
extern char *var_syslog_facility;
#define VAR_MAILLOG_FILE "maillog_file"
#define DEF_MAILLOG_FILE ""
extern char *var_maillog_file;

/* SMTP server. */
#define VAR_SMTPD_BANNER "smtpd_banner"
#define DEF_SMTPD_BANNER "$myhostname ESMTP $mail_name"
extern char *var_smtpd_banner;
#define VAR_MESSAGE_SIZE_LIMIT "message_size_limit"
#define DEF_MESSAGE_SIZE_LIMIT 10240000
extern long var_message_size_limit;
/* Client limits (smtpd, counted by anvil). */
#define VAR_ANVIL_TIME_UNIT "anvil_rate_time_unit"
#define DEF_ANVIL_TIME_UNIT "60s"
extern long var_anvil_time_unit;
#define VAR_CCONN_LIMIT "smtpd_client_connection_count_limit"
#define DEF_CCONN_LIMIT 50
extern long var_cconn_limit;
#define VAR_CRATE_LIMIT "smtpd_client_connection_rate_limit"
#define DEF_CRATE_LIMIT 0
extern long var_crate_limit;
#define VAR_CMSG_LIMIT "smtpd_client_message_rate_limit"
#define DEF_CMSG_LIMIT 0
extern long var_cmsg_limit;
#define VAR_CAUTH_LIMIT "smtpd_client_auth_rate_limit"
#define DEF_CAUTH_LIMIT 0
extern long var_cauth_limit;
#define VAR_CRCPT_LIMIT "smtpd_client_recipient_rate_limit"
#define DEF_CRCPT_LIMIT 0
extern long var_crcpt_limit;
#define VAR_EVENT_EXCEPTIONS "smtpd_client_event_limit_exceptions"
#define DEF_EVENT_EXCEPTIONS "$mynetworks"
extern char *var_event_exceptions;
#define VAR_QUEUE_MINFREE "queue_minfree"
#define DEF_QUEUE_MINFREE 0
extern long var_queue_minfree;
#define VAR_HEADER_SIZE_LIMIT "header_size_limit"
#define DEF_HEADER_SIZE_LIMIT 102400
extern long var_header_size_limit;
#define VAR_LINE_LENGTH_LIMIT "line_length_limit"
#define DEF_LINE_LENGTH_LIMIT 2048
extern long var_line_length_limit;
#define VAR_SMTPD_RCPT_LIMIT "smtpd_recipient_limit"
#define DEF_SMTPD_RCPT_LIMIT 1000
extern long var_smtpd_rcpt_limit;
#define VAR_SMTPD_RCPT_OVERLIM "smtpd_recipient_overshoot_limit"
#define DEF_SMTPD_RCPT_OVERLIM 1000
extern long var_smtpd_rcpt_overlim;
#define VAR_SMTPD_TIMEOUT "smtpd_timeout"
#define DEF_SMTPD_TIMEOUT "300s"
extern long var_smtpd_timeout;
#define VAR_SMTPD_PER_REQ_DEADLINE "smtpd_per_request_deadline"
#define DEF_SMTPD_PER_REQ_DEADLINE 1
extern int var_smtpd_per_req_deadline;
#define VAR_SMTPD_MIN_DATA_RATE "smtpd_min_data_rate"
#define DEF_SMTPD_MIN_DATA_RATE 500
extern long var_smtpd_min_data_rate;
#define VAR_SMTPD_SESSION_DEADLINE "smtpd_session_deadline"
#define DEF_SMTPD_SESSION_DEADLINE "3600s"
extern long var_smtpd_session_deadline;
#define VAR_SMTPD_HARD_ERLIM "smtpd_hard_error_limit"
#define DEF_SMTPD_HARD_ERLIM 20
extern long var_smtpd_hard_erlim;
#define VAR_SMTPD_SOFT_ERLIM "smtpd_soft_error_limit"
#define DEF_SMTPD_SOFT_ERLIM 10
extern long var_smtpd_soft_erlim;
#define VAR_SMTPD_ERR_SLEEP "smtpd_error_sleep_time"
#define DEF_SMTPD_ERR_SLEEP "1s"
extern long var_smtpd_err_sleep;
#define VAR_SMTPD_HELO_REQUIRED "smtpd_helo_required"
#define DEF_SMTPD_HELO_REQUIRED 0
extern int var_smtpd_helo_required;
#define VAR_DISABLE_VRFY_CMD "disable_vrfy_command"
#define DEF_DISABLE_VRFY_CMD 1
extern int var_disable_vrfy_cmd;
#define VAR_STRICT_RFC821_ENV "strict_rfc821_envelopes"
#define DEF_STRICT_RFC821_ENV 0
extern int var_strict_rfc821_env;
#define VAR_HOPCOUNT_LIMIT "hopcount_limit"
#define DEF_HOPCOUNT_LIMIT 50
extern long var_hopcount_limit;
#define VAR_SMTPD_FORBID_CMDS "smtpd_forbidden_commands"
#define DEF_SMTPD_FORBID_CMDS "CONNECT GET POST regexp:{{/^[^A-Z]/ Bogus}}"
extern char *var_smtpd_forbid_cmds;
#define VAR_MYNETWORKS "mynetworks"
#define DEF_MYNETWORKS "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128"
extern char *var_mynetworks;
#define VAR_RELAY_DOMAINS "relay_domains"
#define DEF_RELAY_DOMAINS ""
extern char *var_relay_domains;
#define VAR_RELAY_CHECKS "smtpd_relay_restrictions"
#define DEF_RELAY_CHECKS \
	"permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination"
extern char *var_relay_checks;
#define VAR_RCPT_CHECKS "smtpd_recipient_restrictions"
#define DEF_RCPT_CHECKS ""
extern char *var_rcpt_checks;
#define VAR_SMTPD_NULL_KEY "smtpd_null_access_lookup_key"
#define DEF_SMTPD_NULL_KEY "<>"
extern char *var_smtpd_null_key;
#define VAR_UNK_ADDR_CODE "unknown_address_reject_code"
#define DEF_UNK_ADDR_CODE 450
extern long var_unk_addr_code;
#define VAR_RCPT_DELIM "recipient_delimiter"
#define DEF_RCPT_DELIM ""
extern char *var_rcpt_delim;
#define VAR_SMTPD_PEERNAME_LOOKUP "smtpd_peername_lookup"
#define DEF_SMTPD_PEERNAME_LOOKUP "yes"
extern int var_smtpd_peername_lookup;
#define VAR_SMTPD_PEERNAME_TMOUT "smtpd_peername_lookup_timeout"
#define DEF_SMTPD_PEERNAME_TMOUT "10s"
extern long var_smtpd_peername_tmout;

/* Local domains: the system's users (local(8)). */
#define VAR_MYDESTINATION "mydestination"
#define DEF_MYDESTINATION "$myhostname, localhost.$mydomain, localhost"
extern char *var_mydestination;
#define VAR_LOCAL_RCPT_MAPS "local_recipient_maps"
#define DEF_LOCAL_RCPT_MAPS "unix:passwd.byname"
extern char *var_local_rcpt_maps;
#define VAR_HOME_MAILBOX "home_mailbox"
#define DEF_HOME_MAILBOX "Maildir/"
extern char *var_home_mailbox;
#define VAR_MAIL_SPOOL_DIR "mail_spool_directory"
#define DEF_MAIL_SPOOL_DIR "/var/mail"
extern char *var_mail_spool_dir;
#define VAR_MAILBOX_SIZE_LIMIT "mailbox_size_limit"
#define DEF_MAILBOX_SIZE_LIMIT 51200000
extern long var_mailbox_size_limit;
#define VAR_DEFAULT_PRIVS "default_privs"
#define DEF_DEFAULT_PRIVS "nobody"
extern char *var_default_privs;
#define VAR_COMMAND_TIME_LIMIT "command_time_limit"
#define DEF_COMMAND_TIME_LIMIT "1000s"
extern long var_command_time_limit;
#define VAR_ALLOW_COMMANDS "allow_mail_to_commands"
#define DEF_ALLOW_COMMANDS "alias, forward"
extern char *var_allow_commands;
#define VAR_ALLOW_FILES "allow_mail_to_files"
#define DEF_ALLOW_FILES "alias, forward"
extern char *var_allow_files;

/* Virtual domains and lookup tables. */
#define VAR_VIRT_MAILBOX_DOMAINS "virtual_mailbox_domains"
#define DEF_VIRT_MAILBOX_DOMAINS ""
extern char *var_virt_mailbox_domains;
#define VAR_VIRT_MAILBOX_MAPS "virtual_mailbox_maps"
#define DEF_VIRT_MAILBOX_MAPS ""
extern char *var_virt_mailbox_maps;
#define VAR_VIRT_MAILBOX_BASE "virtual_mailbox_base"
#define DEF_VIRT_MAILBOX_BASE ""
extern char *var_virt_mailbox_base;
#define VAR_VIRT_ALIAS_MAPS "virtual_alias_maps"
#define DEF_VIRT_ALIAS_MAPS ""
extern char *var_virt_alias_maps;
#define VAR_VIRT_RECUR_LIMIT "virtual_alias_recursion_limit"
#define DEF_VIRT_RECUR_LIMIT 1000
extern long var_virt_recur_limit;
#define VAR_VIRT_EXPAN_LIMIT "virtual_alias_expansion_limit"
#define DEF_VIRT_EXPAN_LIMIT 1000
extern long var_virt_expan_limit;
#define VAR_DUP_FILTER_LIMIT "duplicate_filter_limit"
#define DEF_DUP_FILTER_LIMIT 1000
extern long var_dup_filter_limit;
#define VAR_VIRT_UID_MAPS "virtual_uid_maps"
#define DEF_VIRT_UID_MAPS ""
extern char *var_virt_uid_maps;
#define VAR_VIRT_GID_MAPS "virtual_gid_maps"
#define DEF_VIRT_GID_MAPS ""
extern char *var_virt_gid_maps;
#define VAR_VIRT_MINIMUM_UID "virtual_minimum_uid"
#define DEF_VIRT_MINIMUM_UID 100
extern long var_virt_minimum_uid;
#define VAR_ALIAS_MAPS "alias_maps"
#define DEF_ALIAS_MAPS "hash:/etc/aliases"
extern char *var_alias_maps;
#define VAR_ALIAS_DB "alias_database"
#define DEF_ALIAS_DB "hash:/etc/aliases"
extern char *var_alias_db;
#define VAR_DB_TYPE "default_database_type"
#define DEF_DB_TYPE "hash"
extern char *var_db_type;

/* Queue manager. */
#define VAR_QUEUE_RUN_DELAY "queue_run_delay"
#define DEF_QUEUE_RUN_DELAY "300s"
extern long var_queue_run_delay;
#define VAR_MIN_BACKOFF_TIME "minimal_backoff_time"
#define DEF_MIN_BACKOFF_TIME "300s"
extern long var_min_backoff_time;
#define VAR_MAX_BACKOFF_TIME "maximal_backoff_time"
#define DEF_MAX_BACKOFF_TIME "4000s"
extern long var_max_backoff_time;
#define VAR_MAX_QUEUE_TIME "maximal_queue_lifetime"
#define DEF_MAX_QUEUE_TIME "5d"
extern long var_max_queue_time;
#define VAR_DSN_QUEUE_TIME "bounce_queue_lifetime"
#define DEF_DSN_QUEUE_TIME "5d"
extern long var_dsn_queue_time;
#define VAR_DELAY_WARN_TIME "delay_warning_time"
#define DEF_DELAY_WARN_TIME "0h"
extern long var_delay_warn_time;
#define VAR_BOUNCE_LIMIT "bounce_size_limit"
#define DEF_BOUNCE_LIMIT 50000
extern long var_bounce_limit;
#define VAR_INIT_DEST_CONCURRENCY "initial_destination_concurrency"
#define DEF_INIT_DEST_CONCURRENCY 5
extern long var_init_dest_concurrency;
#define VAR_DEST_FAILED_COHORTS \
	"default_destination_concurrency_failed_cohort_limit"
#define DEF_DEST_FAILED_COHORTS 1
extern long var_dest_failed_cohorts;
#define VAR_DOUBLE_BOUNCE_SENDER "double_bounce_sender"
#define DEF_DOUBLE_BOUNCE_SENDER "double-bounce"
extern char *var_double_bounce_sender;
#define VAR_2BOUNCE_RCPT "2bounce_notice_recipient"
#define DEF_2BOUNCE_RCPT "postmaster"
extern char *var_2bounce_rcpt;

/* Process management. */
#define VAR_PROC_LIMIT "default_process_limit"
#define DEF_PROC_LIMIT 100
extern long var_proc_limit;
#define VAR_USE_LIMIT "max_use"
#define DEF_USE_LIMIT 100
extern long var_use_limit;
#define VAR_IDLE_LIMIT "max_idle"
#define DEF_IDLE_LIMIT "100s"
extern long var_idle_limit;
#define VAR_THROTTLE_TIME "service_throttle_time"
#define DEF_THROTTLE_TIME "60s"
extern long var_throttle_time;
#define VAR_IPC_TIMEOUT "ipc_timeout"
#define DEF_IPC_TIMEOUT "3600s"
extern long var_ipc_timeout;
#define VAR_DAEMON_TIMEOUT "daemon_timeout"
#define DEF_DAEMON_TIMEOUT "18000s"
extern long var_daemon_timeout;
#define VAR_LOCAL_DEST_CONCURRENCY "local_destination_concurrency_limit"
#define DEF_LOCAL_DEST_CONCURRENCY 20
extern long var_local_dest_concurrency;

/* Outbound SMTP client (smtp) and DNS. */
#define VAR_SMTP_CONN_TMOUT "smtp_connect_timeout"
#define DEF_SMTP_CONN_TMOUT "30s"
extern long var_smtp_conn_tmout;
#define VAR_SMTP_HELO_TMOUT "smtp_helo_timeout"
#define DEF_SMTP_HELO_TMOUT "300s"
extern long var_smtp_helo_tmout;
#define VAR_SMTP_MAIL_TMOUT "smtp_mail_timeout"
#define DEF_SMTP_MAIL_TMOUT "300s"
extern long var_smtp_mail_tmout;
#define VAR_SMTP_RCPT_TMOUT "smtp_rcpt_timeout"
#define DEF_SMTP_RCPT_TMOUT "300s"
extern long var_smtp_rcpt_tmout;
#define VAR_SMTP_DATA0_TMOUT "smtp_data_init_timeout"
#define DEF_SMTP_DATA0_TMOUT "120s"
extern long var_smtp_data0_tmout;
#define VAR_SMTP_DATA1_TMOUT "smtp_data_xfer_timeout"
#define DEF_SMTP_DATA1_TMOUT "180s"
extern long var_smtp_data1_tmout;
#define VAR_SMTP_DATA2_TMOUT "smtp_data_done_timeout"
#define DEF_SMTP_DATA2_TMOUT "600s"
extern long var_smtp_data2_tmout;
#define VAR_SMTP_RSET_TMOUT "smtp_rset_timeout"
#define DEF_SMTP_RSET_TMOUT "20s"
extern long var_smtp_rset_tmout;
#define VAR_SMTP_QUIT_TMOUT "smtp_quit_timeout"
#define DEF_SMTP_QUIT_TMOUT "300s"
extern long var_smtp_quit_tmout;
#define VAR_SMTP_HELO_NAME "smtp_helo_name"
#define DEF_SMTP_HELO_NAME "$myhostname"
extern char *var_smtp_helo_name;
#define VAR_SMTP_TCP_PORT "smtp_tcp_port"
#define DEF_SMTP_TCP_PORT 25
extern long var_smtp_tcp_port;
#define VAR_SMTP_MXADDR_LIMIT "smtp_mx_address_limit"
#define DEF_SMTP_MXADDR_LIMIT 5
extern long var_smtp_mxaddr_limit;
#define VAR_SMTP_MXSESS_LIMIT "smtp_mx_session_limit"
#define DEF_SMTP_MXSESS_LIMIT 2
extern long var_smtp_mxsess_limit;
#define VAR_SMTP_REUSE_COUNT "smtp_connection_reuse_count_limit"
#define DEF_SMTP_REUSE_COUNT 0
extern long var_smtp_reuse_count;
#define VAR_SMTP_REUSE_TIME "smtp_connection_reuse_time_limit"
#define DEF_SMTP_REUSE_TIME "300s"
extern long var_smtp_reuse_time;
#define VAR_TRANSPORT_MAPS "transport_maps"
#define DEF_TRANSPORT_MAPS ""
extern char *var_transport_maps;
#define VAR_RELAYHOST "relayhost"
#define DEF_RELAYHOST ""
extern char *var_relayhost;
#define VAR_DEST_RCPT_LIMIT "default_destination_recipient_limit"
#define DEF_DEST_RCPT_LIMIT 50
extern long var_dest_rcpt_limit;
#define VAR_DEST_CONCURRENCY "default_destination_concurrency_limit"
#define DEF_DEST_CONCURRENCY 20
extern long var_dest_concurrency;
#define VAR_DNS_SERVERS "dns_servers"
#define DEF_DNS_SERVERS ""
extern char *var_dns_servers;
#define VAR_INET_PROTOCOLS "inet_protocols"
#define DEF_INET_PROTOCOLS "all"
extern char *var_inet_protocols;

/* The table, sorted by nothing in particular (ternconf sorts by name). */
extern const struct param_def param_table[];
extern const size_t param_table_count;

/* Return the row for name, or NULL when the table has no such parameter. */
const struct param_def *param_find(const char *name);

/* The table name nearest to name (edit distance, at most a third of its
 * length and at most 3 edits), for "did you mean" hints; NULL when none is
 * that near. Never fails. */
const char *param_suggest(const char *name);

/* Return the default text of a row: its def, or for computed defaults the
 * value computed on first use (cached for the life of the process). Never
 * NULL. */
const char *param_default(const struct param_def *p);

/* The default of myhostname / mydomain derived from a host name as returned
 * by gethostname() (exposed for tests). The result is xstrdup'd; the caller
 * frees it. Never fail. */
char *param_hostname_default(const char *host);
char *param_domain_default(const char *myhostname);

/* Converters: parse text (already expanded) into *value_r. They check the
 * syntax and the C type's range only, not the row's min/max. Return 0, or -1
 * with *error_r set to a static text such as "bad time value". */
int param_parse_int(const char *text, long *value_r, const char **error_r);
int param_parse_size(const char *text, long *value_r, const char **error_r);
int param_parse_time(const char *text, long *value_r, const char **error_r);
int param_parse_bool(const char *text, int *value_r, const char **error_r);

/* Name of a type for messages ("integer", "size", "time", "boolean",
 * "string"). Never NULL. */
const char *param_type_name(enum param_type type);

#endif
