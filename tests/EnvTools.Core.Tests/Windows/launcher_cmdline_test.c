/* Host-compiled driver for src/EnvTools.Launcher/launcher_cmdline.h (see EntryPointLauncherTests.cs).
 * Usage: launcher_cmdline_test skip CMDLINE | paths SELF | cmd PYTHON SCRIPT TAIL | error CODE
 * Prints the result as UTF-8 between '[' and ']'. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "launcher_cmdline.h"

static wchar_t *wide(const char *s)
{
    size_t n = mbstowcs(NULL, s, 0);
    wchar_t *w = malloc((n + 1) * sizeof(wchar_t));
    mbstowcs(w, s, n + 1);
    return w;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "C.UTF-8");
    if (argc == 3 && strcmp(argv[1], "skip") == 0) {
        printf("[%ls]\n", launcher_skip_program_name(wide(argv[2])));
    } else if (argc == 3 && strcmp(argv[1], "paths") == 0) {
        wchar_t python[600], script[600];
        if (launcher_paths(wide(argv[2]), python, script, 600)) {
            printf("[%ls][%ls]\n", python, script);
        } else {
            printf("refused\n");
        }
    } else if (argc == 5 && strcmp(argv[1], "cmd") == 0) {
        wchar_t *p = wide(argv[2]), *s = wide(argv[3]), *t = wide(argv[4]);
        size_t need = launcher_command_line(p, s, t, NULL, 0);
        wchar_t *out = malloc(need * sizeof(wchar_t));
        size_t again = launcher_command_line(p, s, t, out, need);
        printf("[%ls]%s\n", out, again == need && launcher_len(out) + 1 == need ? "" : " length mismatch");
    } else if (argc == 3 && strcmp(argv[1], "error") == 0) {
        wchar_t buf[32];
        launcher_error_suffix(strtoul(argv[2], NULL, 10), buf);
        printf("[%ls]\n", buf);
    } else {
        return 2;
    }

    return 0;
}
