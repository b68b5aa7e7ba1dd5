//! The registry of dot-commands: one entry per command of sqlite3 3.40.1, in its dispatch
//! order, with the rule its name resolves by and its `.help` text (as 3.40.1 prints it).
//! Commands without a handler are known names that litesh does not provide (yet).

use super::{help, io, settings, DotCommand, Rule};

/// Every dot-command, in sqlite3 3.40.1's dispatch order (`do_meta_command`).
pub const REGISTRY: &[DotCommand] = &[
    DotCommand {
        name: "auth",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".auth ON|OFF             Show authorizer callbacks\n",
        )),
    },
    DotCommand {
        name: "archive",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".archive ...             Manage SQL archives\n",
            "   Each command must have exactly one of the following options:\n",
            "     -c, --create               Create a new archive\n",
            "     -u, --update               Add or update files with changed mtime\n",
            "     -i, --insert               Like -u but always add even if unchanged\n",
            "     -r, --remove               Remove files from archive\n",
            "     -t, --list                 List contents of archive\n",
            "     -x, --extract              Extract files from archive\n",
            "   Optional arguments:\n",
            "     -v, --verbose              Print each filename as it is processed\n",
            "     -f FILE, --file FILE       Use archive FILE (default is current db)\n",
            "     -a FILE, --append FILE     Open FILE using the apndvfs VFS\n",
            "     -C DIR, --directory DIR    Read/extract files from directory DIR\n",
            "     -g, --glob                 Use glob matching for names in archive\n",
            "     -n, --dryrun               Show the SQL that would have occurred\n",
            "   Examples:\n",
            "     .ar -cf ARCHIVE foo bar  # Create ARCHIVE from files foo and bar\n",
            "     .ar -tf ARCHIVE          # List members of ARCHIVE\n",
            "     .ar -xvf ARCHIVE         # Verbosely extract files from ARCHIVE\n",
            "   See also:\n",
            "      http://sqlite.org/cli.html#sqlite_archive_support\n",
        )),
    },
    DotCommand {
        name: "backup",
        rule: Rule::Prefix(3),
        run: Some(io::backup),
        help: Some(concat!(
            ".backup ?DB? FILE        Backup DB (default \"main\") to FILE\n",
            "   Options:\n",
            "       --append            Use the appendvfs\n",
            "       --async             Write to FILE without journal and fsync()\n",
        )),
    },
    DotCommand {
        name: "save",
        rule: Rule::Prefix(3),
        run: Some(io::backup),
        help: Some(concat!(
            ".save ?OPTIONS? FILE     Write database to FILE (an alias for .backup ...)\n",
        )),
    },
    DotCommand {
        name: "bail",
        rule: Rule::Prefix(3),
        run: Some(settings::bail),
        help: Some(concat!(
            ".bail on|off             Stop after hitting an error.  Default OFF\n",
        )),
    },
    DotCommand {
        name: "binary",
        rule: Rule::Prefix(3),
        run: None,
        help: Some(concat!(
            ".binary on|off           Turn binary output on or off.  Default OFF\n",
        )),
    },
    DotCommand {
        name: "breakpoint",
        rule: Rule::Prefix(3),
        run: Some(settings::noop),
        help: None,
    },
    DotCommand {
        name: "cd",
        rule: Rule::Exact,
        run: None,
        help: Some(concat!(
            ".cd DIRECTORY            Change the working directory to DIRECTORY\n",
        )),
    },
    DotCommand {
        name: "changes",
        rule: Rule::Prefix(3),
        run: Some(settings::changes),
        help: Some(concat!(
            ".changes on|off          Show number of rows changed by SQL\n",
        )),
    },
    DotCommand {
        name: "check",
        rule: Rule::Prefix(3),
        run: None,
        help: Some(concat!(
            ".check GLOB              Fail if output since .testcase does not match\n",
        )),
    },
    DotCommand {
        name: "clone",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".clone NEWDB             Clone data into NEWDB from the existing database\n",
        )),
    },
    DotCommand {
        name: "connection",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".connection [close] [#]  Open or close an auxiliary database connection\n",
        )),
    },
    DotCommand {
        name: "databases",
        rule: Rule::Prefix(2),
        run: None,
        help: Some(concat!(
            ".databases               List names and files of attached databases\n",
        )),
    },
    DotCommand {
        name: "dbconfig",
        rule: Rule::Prefix(3),
        run: None,
        help: Some(concat!(
            ".dbconfig ?op? ?val?     List or change sqlite3_db_config() options\n",
        )),
    },
    DotCommand {
        name: "dbinfo",
        rule: Rule::Prefix(3),
        run: None,
        help: Some(concat!(
            ".dbinfo ?DB?             Show status information about the database\n",
        )),
    },
    DotCommand {
        name: "recover",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".recover                 Recover as much data as possible from corrupt db.\n",
            "   --ignore-freelist        Ignore pages that appear to be on db freelist\n",
            "   --lost-and-found TABLE   Alternative name for the lost-and-found table\n",
            "   --no-rowids              Do not attempt to recover rowid values\n",
            "                            that are not also INTEGER PRIMARY KEYs\n",
        )),
    },
    DotCommand {
        name: "dump",
        rule: Rule::Prefix(0),
        run: Some(io::dump),
        help: Some(concat!(
            ".dump ?OBJECTS?          Render database content as SQL\n",
            "   Options:\n",
            "     --data-only            Output only INSERT statements\n",
            "     --newlines             Allow unescaped newline characters in output\n",
            "     --nosys                Omit system tables (ex: \"sqlite_stat1\")\n",
            "     --preserve-rowids      Include ROWID values in the output\n",
            "   OBJECTS is a LIKE pattern for tables, indexes, triggers or views to dump\n",
            "   Additional LIKE patterns can be given in subsequent arguments\n",
        )),
    },
    DotCommand {
        name: "echo",
        rule: Rule::Prefix(0),
        run: Some(settings::echo),
        help: Some(concat!(
            ".echo on|off             Turn command echo on or off\n",
        )),
    },
    DotCommand {
        name: "eqp",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".eqp on|off|full|...     Enable or disable automatic EXPLAIN QUERY PLAN\n",
            "   Other Modes:\n",
            "      trigger               Like \"full\" but also show trigger bytecode\n",
        )),
    },
    DotCommand {
        name: "exit",
        rule: Rule::Prefix(0),
        run: Some(settings::exit),
        help: Some(concat!(
            ".exit ?CODE?             Exit this program with return-code CODE\n",
        )),
    },
    DotCommand {
        name: "explain",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".explain ?on|off|auto?   Change the EXPLAIN formatting mode.  Default: auto\n",
        )),
    },
    DotCommand {
        name: "expert",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".expert                  EXPERIMENTAL. Suggest indexes for queries\n",
        )),
    },
    DotCommand {
        name: "filectrl",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".filectrl CMD ...        Run various sqlite3_file_control() operations\n",
            "   --schema SCHEMA         Use SCHEMA instead of \"main\"\n",
            "   --help                  Show CMD details\n",
        )),
    },
    DotCommand {
        name: "fullschema",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".fullschema ?--indent?   Show schema and the content of sqlite_stat tables\n",
        )),
    },
    DotCommand {
        name: "headers",
        rule: Rule::Prefix(0),
        run: Some(settings::headers),
        help: Some(concat!(
            ".headers on|off          Turn display of headers on or off\n",
        )),
    },
    DotCommand {
        name: "help",
        rule: Rule::Prefix(0),
        run: Some(help::help),
        help: Some(concat!(
            ".help ?-all? ?PATTERN?   Show help text for PATTERN\n",
        )),
    },
    DotCommand {
        name: "import",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".import FILE TABLE       Import data from FILE into TABLE\n",
            "   Options:\n",
            "     --ascii               Use \\037 and \\036 as column and row separators\n",
            "     --csv                 Use , and \\n as column and row separators\n",
            "     --skip N              Skip the first N rows of input\n",
            "     --schema S            Target table to be S.TABLE\n",
            "     -v                    \"Verbose\" - increase auxiliary output\n",
            "   Notes:\n",
            "     *  If TABLE does not exist, it is created.  The first row of input\n",
            "        determines the column names.\n",
            "     *  If neither --csv or --ascii are used, the input mode is derived\n",
            "        from the \".mode\" output mode\n",
            "     *  If FILE begins with \"|\" then it is a command that generates the\n",
            "        input text.\n",
        )),
    },
    DotCommand {
        name: "imposter",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".imposter INDEX TABLE    Create imposter table TABLE on index INDEX\n",
        )),
    },
    DotCommand {
        name: "limits",
        rule: Rule::Prefix(5),
        run: None,
        help: Some(concat!(
            ".limit ?LIMIT? ?VAL?     Display or change the value of an SQLITE_LIMIT\n",
        )),
    },
    DotCommand {
        name: "lint",
        rule: Rule::Prefix(3),
        run: None,
        help: Some(concat!(
            ".lint OPTIONS            Report potential schema issues.\n",
            "     Options:\n",
            "        fkey-indexes     Find missing foreign key indexes\n",
        )),
    },
    DotCommand {
        name: "load",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".load FILE ?ENTRY?       Load an extension library\n",
        )),
    },
    DotCommand {
        name: "log",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".log FILE|off            Turn logging on or off.  FILE can be stderr/stdout\n",
        )),
    },
    DotCommand {
        name: "mode",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".mode MODE ?OPTIONS?     Set output mode\n",
            "   MODE is one of:\n",
            "     ascii       Columns/rows delimited by 0x1F and 0x1E\n",
            "     box         Tables using unicode box-drawing characters\n",
            "     csv         Comma-separated values\n",
            "     column      Output in columns.  (See .width)\n",
            "     html        HTML <table> code\n",
            "     insert      SQL insert statements for TABLE\n",
            "     json        Results in a JSON array\n",
            "     line        One value per line\n",
            "     list        Values delimited by \"|\"\n",
            "     markdown    Markdown table format\n",
            "     qbox        Shorthand for \"box --wrap 60 --quote\"\n",
            "     quote       Escape answers as for SQL\n",
            "     table       ASCII-art table\n",
            "     tabs        Tab-separated values\n",
            "     tcl         TCL list elements\n",
            "   OPTIONS: (for columnar modes or insert mode):\n",
            "     --wrap N       Wrap output lines to no longer than N characters\n",
            "     --wordwrap B   Wrap or not at word boundaries per B (on/off)\n",
            "     --ww           Shorthand for \"--wordwrap 1\"\n",
            "     --quote        Quote output text as SQL literals\n",
            "     --noquote      Do not quote output text\n",
            "     TABLE          The name of SQL table used for \"insert\" mode\n",
        )),
    },
    DotCommand {
        name: "nonce",
        rule: Rule::Exact,
        run: Some(settings::nonce),
        help: Some(concat!(
            ".nonce STRING            Suspend safe mode for one command if nonce matches\n",
        )),
    },
    DotCommand {
        name: "nullvalue",
        rule: Rule::Prefix(0),
        run: Some(settings::nullvalue),
        help: Some(concat!(
            ".nullvalue STRING        Use STRING in place of NULL values\n",
        )),
    },
    DotCommand {
        name: "open",
        rule: Rule::Prefix(2),
        run: Some(io::open),
        help: Some(concat!(
            ".open ?OPTIONS? ?FILE?   Close existing database and reopen FILE\n",
            "     Options:\n",
            "        --append        Use appendvfs to append database to the end of FILE\n",
            "        --deserialize   Load into memory using sqlite3_deserialize()\n",
            "        --hexdb         Load the output of \"dbtotxt\" as an in-memory db\n",
            "        --maxsize N     Maximum size for --hexdb or --deserialized database\n",
            "        --new           Initialize FILE to an empty database\n",
            "        --nofollow      Do not follow symbolic links\n",
            "        --readonly      Open FILE readonly\n",
            "        --zip           FILE is a ZIP archive\n",
        )),
    },
    DotCommand {
        name: "output",
        rule: Rule::Prefix(0),
        run: Some(io::output),
        help: Some(concat!(
            ".output ?FILE?           Send output to FILE or stdout if FILE is omitted\n",
            "   If FILE begins with '|' then open it as a pipe.\n",
            "   Options:\n",
            "     --bom                 Prefix output with a UTF8 byte-order mark\n",
            "     -e                    Send output to the system text editor\n",
            "     -x                    Send output as CSV to a spreadsheet\n",
        )),
    },
    DotCommand {
        name: "once",
        rule: Rule::Prefix(0),
        run: Some(io::output),
        help: Some(concat!(
            ".once ?OPTIONS? ?FILE?   Output for the next SQL command only to FILE\n",
            "     If FILE begins with '|' then open as a pipe\n",
            "       --bom  Put a UTF8 byte-order mark at the beginning\n",
            "       -e     Send output to the system text editor\n",
            "       -x     Send output as CSV to a spreadsheet (same as \".excel\")\n",
        )),
    },
    DotCommand {
        name: "excel",
        rule: Rule::Exact,
        run: None,
        help: Some(concat!(
            ".excel                   Display the output of next command in spreadsheet\n",
            "   --bom                   Put a UTF8 byte-order mark on intermediate file\n",
        )),
    },
    DotCommand {
        name: "parameter",
        rule: Rule::Prefix(3),
        run: None,
        help: Some(concat!(
            ".parameter CMD ...       Manage SQL parameter bindings\n",
            "   clear                   Erase all bindings\n",
            "   init                    Initialize the TEMP table that holds bindings\n",
            "   list                    List the current parameter bindings\n",
            "   set PARAMETER VALUE     Given SQL parameter PARAMETER a value of VALUE\n",
            "                           PARAMETER should start with one of: $ : @ ?\n",
            "   unset PARAMETER         Remove PARAMETER from the binding table\n",
        )),
    },
    DotCommand {
        name: "print",
        rule: Rule::Prefix(3),
        run: Some(settings::print),
        help: Some(concat!(".print STRING...         Print literal STRING\n",)),
    },
    DotCommand {
        name: "progress",
        rule: Rule::Prefix(3),
        run: None,
        help: Some(concat!(
            ".progress N              Invoke progress handler after every N opcodes\n",
            "   --limit N                 Interrupt after N progress callbacks\n",
            "   --once                    Do no more than one progress interrupt\n",
            "   --quiet|-q                No output except at interrupts\n",
            "   --reset                   Reset the count for each input and interrupt\n",
        )),
    },
    DotCommand {
        name: "prompt",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".prompt MAIN CONTINUE    Replace the standard prompts\n",
        )),
    },
    DotCommand {
        name: "quit",
        rule: Rule::Prefix(0),
        run: Some(settings::quit),
        help: Some(concat!(".quit                    Exit this program\n",)),
    },
    DotCommand {
        name: "read",
        rule: Rule::Prefix(3),
        run: Some(io::read),
        help: Some(concat!(
            ".read FILE               Read input from FILE or command output\n",
            "    If FILE begins with \"|\", it is a command that generates the input.\n",
        )),
    },
    DotCommand {
        name: "restore",
        rule: Rule::Prefix(3),
        run: Some(io::restore),
        help: Some(concat!(
            ".restore ?DB? FILE       Restore content of DB (default \"main\") from FILE\n",
        )),
    },
    DotCommand {
        name: "scanstats",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".scanstats on|off        Turn sqlite3_stmt_scanstatus() metrics on or off\n",
        )),
    },
    DotCommand {
        name: "schema",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".schema ?PATTERN?        Show the CREATE statements matching PATTERN\n",
            "   Options:\n",
            "      --indent             Try to pretty-print the schema\n",
            "      --nosys              Omit objects whose names start with \"sqlite_\"\n",
        )),
    },
    DotCommand {
        name: "session",
        rule: Rule::Prefix(3),
        run: None,
        help: Some(concat!(
            ".session ?NAME? CMD ...  Create or control sessions\n",
            "   Subcommands:\n",
            "     attach TABLE             Attach TABLE\n",
            "     changeset FILE           Write a changeset into FILE\n",
            "     close                    Close one session\n",
            "     enable ?BOOLEAN?         Set or query the enable bit\n",
            "     filter GLOB...           Reject tables matching GLOBs\n",
            "     indirect ?BOOLEAN?       Mark or query the indirect status\n",
            "     isempty                  Query whether the session is empty\n",
            "     list                     List currently open session names\n",
            "     open DB NAME             Open a new session on DB\n",
            "     patchset FILE            Write a patchset into FILE\n",
            "   If ?NAME? is omitted, the first defined session is used.\n",
        )),
    },
    DotCommand {
        name: "selftest",
        rule: Rule::Prefix(4),
        run: None,
        help: Some(concat!(
            ".selftest ?OPTIONS?      Run tests defined in the SELFTEST table\n",
            "    Options:\n",
            "       --init               Create a new SELFTEST table\n",
            "       -v                   Verbose output\n",
        )),
    },
    DotCommand {
        name: "separator",
        rule: Rule::Prefix(0),
        run: Some(settings::separator),
        help: Some(concat!(
            ".separator COL ?ROW?     Change the column and row separators\n",
        )),
    },
    DotCommand {
        name: "sha3sum",
        rule: Rule::Prefix(4),
        run: None,
        help: Some(concat!(
            ".sha3sum ...             Compute a SHA3 hash of database content\n",
            "    Options:\n",
            "      --schema              Also hash the sqlite_schema table\n",
            "      --sha3-224            Use the sha3-224 algorithm\n",
            "      --sha3-256            Use the sha3-256 algorithm (default)\n",
            "      --sha3-384            Use the sha3-384 algorithm\n",
            "      --sha3-512            Use the sha3-512 algorithm\n",
            "    Any other argument is a LIKE pattern for tables to hash\n",
        )),
    },
    DotCommand {
        name: "shell",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".shell CMD ARGS...       Run CMD ARGS... in a system shell\n",
        )),
    },
    DotCommand {
        name: "system",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".system CMD ARGS...      Run CMD ARGS... in a system shell\n",
        )),
    },
    DotCommand {
        name: "show",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".show                    Show the current values for various settings\n",
        )),
    },
    DotCommand {
        name: "stats",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".stats ?ARG?             Show stats or turn stats on or off\n",
            "   off                      Turn off automatic stat display\n",
            "   on                       Turn on automatic stat display\n",
            "   stmt                     Show statement stats\n",
            "   vmstep                   Show the virtual machine step count only\n",
        )),
    },
    DotCommand {
        name: "tables",
        rule: Rule::Prefix(2),
        run: None,
        help: Some(concat!(
            ".tables ?TABLE?          List names of tables matching LIKE pattern TABLE\n",
        )),
    },
    DotCommand {
        name: "indices",
        rule: Rule::Prefix(0),
        run: None,
        help: None,
    },
    DotCommand {
        name: "indexes",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".indexes ?TABLE?         Show names of indexes\n",
            "                           If TABLE is specified, only show indexes for\n",
            "                           tables matching TABLE using the LIKE operator.\n",
        )),
    },
    DotCommand {
        name: "testcase",
        rule: Rule::Exact,
        run: None,
        help: Some(concat!(
            ".testcase NAME           Begin redirecting output to 'testcase-out.txt'\n",
        )),
    },
    DotCommand {
        name: "testctrl",
        rule: Rule::Prefix(8),
        run: None,
        help: Some(concat!(
            ".testctrl CMD ...        Run various sqlite3_test_control() operations\n",
            "                           Run \".testctrl\" with no arguments for details\n",
        )),
    },
    DotCommand {
        name: "timeout",
        rule: Rule::Prefix(5),
        run: Some(settings::timeout),
        help: Some(concat!(
            ".timeout MS              Try opening locked tables for MS milliseconds\n",
        )),
    },
    DotCommand {
        name: "timer",
        rule: Rule::Prefix(5),
        run: None,
        help: Some(concat!(
            ".timer on|off            Turn SQL timer on or off\n",
        )),
    },
    DotCommand {
        name: "trace",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".trace ?OPTIONS?         Output each SQL statement as it is run\n",
            "    FILE                    Send output to FILE\n",
            "    stdout                  Send output to stdout\n",
            "    stderr                  Send output to stderr\n",
            "    off                     Disable tracing\n",
            "    --expanded              Expand query parameters\n",
            "    --plain                 Show SQL as it is input\n",
            "    --stmt                  Trace statement execution (SQLITE_TRACE_STMT)\n",
            "    --profile               Profile statements (SQLITE_TRACE_PROFILE)\n",
            "    --row                   Trace each row (SQLITE_TRACE_ROW)\n",
            "    --close                 Trace connection close (SQLITE_TRACE_CLOSE)\n",
        )),
    },
    DotCommand {
        name: "version",
        rule: Rule::Prefix(0),
        run: None,
        help: None,
    },
    DotCommand {
        name: "vfsinfo",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".vfsinfo ?AUX?           Information about the top-level VFS\n",
        )),
    },
    DotCommand {
        name: "vfslist",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".vfslist                 List all available VFSes\n",
        )),
    },
    DotCommand {
        name: "vfsname",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".vfsname ?AUX?           Print the name of the VFS stack\n",
        )),
    },
    DotCommand {
        name: "width",
        rule: Rule::Prefix(0),
        run: None,
        help: Some(concat!(
            ".width NUM1 NUM2 ...     Set minimum column widths for columnar output\n",
            "     Negative values right-justify\n",
        )),
    },
];
