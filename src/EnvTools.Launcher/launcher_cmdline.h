/*
 * The launcher's pure logic, without the Windows API, so that it is also compiled and tested on the build machine
 * (tests/EnvTools.Core.Tests/Install/LauncherTests.cs compiles launcher_cmdline_test.c with the host's gcc).
 */
#ifndef ENVTOOLS_LAUNCHER_CMDLINE_H
#define ENVTOOLS_LAUNCHER_CMDLINE_H

#include <stddef.h>
#include <wchar.h> /* wchar_t */

/* wcslen and wmemcpy, written out so that the launcher imports nothing but kernel32 (no C runtime). */
static size_t launcher_len(const wchar_t *s)
{
    size_t n = 0;
    while (s[n] != L'\0') {
        n++;
    }

    return n;
}

static void launcher_copy(wchar_t *to, const wchar_t *from, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        to[i] = from[i];
    }
}

/* The rest of a command line after the program name, by CommandLineToArgvW's argv[0] rule: a name that starts with
 * '"' ends at the next '"' (no escapes); otherwise at the first space or tab. The blanks after it are skipped. */
static const wchar_t *launcher_skip_program_name(const wchar_t *p)
{
    if (*p == L'"') {
        p++;
        while (*p != L'\0' && *p != L'"') {
            p++;
        }

        if (*p == L'"') {
            p++;
        }
    } else {
        while (*p != L'\0' && *p != L' ' && *p != L'\t') {
            p++;
        }
    }

    while (*p == L' ' || *p == L'\t') {
        p++;
    }

    return p;
}

static int launcher_ends_with_exe(const wchar_t *s, size_t n)
{
    if (n < 4 || s[n - 4] != L'.') {
        return 0;
    }

    wchar_t e = s[n - 3] | 0x20, x = s[n - 2] | 0x20, e2 = s[n - 1] | 0x20; /* ASCII lower case */
    return e == L'e' && x == L'x' && e2 == L'e';
}

/* From the launcher's own path (<prefix>\Scripts\<name>.exe): the prefix's python.exe and <name>-script.py beside the
 * launcher. Returns 0 when the path has no two folders above the file or the results do not fit in cap. */
static int launcher_paths(const wchar_t *self, wchar_t *python, wchar_t *script, size_t cap)
{
    size_t n = launcher_len(self);
    size_t stem = launcher_ends_with_exe(self, n) ? n - 4 : n;
    static const wchar_t suffix[] = L"-script.py";
    size_t suffix_len = sizeof(suffix) / sizeof(suffix[0]) - 1;
    if (stem + suffix_len + 1 > cap) {
        return 0;
    }

    launcher_copy(script, self, stem);
    launcher_copy(script + stem, suffix, suffix_len + 1);

    size_t slash = n; /* the launcher's folder, then the one above it */
    int found = 0;
    while (slash > 0 && found < 2) {
        slash--;
        if (self[slash] == L'\\' || self[slash] == L'/') {
            found++;
            if (found == 2) {
                break;
            }
        }
    }

    if (found < 2) {
        return 0;
    }

    static const wchar_t exe[] = L"\\python.exe";
    size_t exe_len = sizeof(exe) / sizeof(exe[0]) - 1;
    if (slash + exe_len + 1 > cap) {
        return 0;
    }

    launcher_copy(python, self, slash);
    launcher_copy(python + slash, exe, exe_len + 1);
    return 1;
}

/* "<python>" "<script>"[ <tail>] into out (when out is not NULL and cap suffices); returns the length it needs,
 * terminator included. */
static size_t launcher_command_line(const wchar_t *python, const wchar_t *script, const wchar_t *tail, wchar_t *out, size_t cap)
{
    size_t lp = launcher_len(python), ls = launcher_len(script), lt = launcher_len(tail);
    size_t need = 1 + lp + 1 + 1 + 1 + ls + 1 + (lt > 0 ? 1 + lt : 0) + 1;
    if (out == NULL || cap < need) {
        return need;
    }

    size_t i = 0;
    out[i++] = L'"';
    launcher_copy(out + i, python, lp);
    i += lp;
    out[i++] = L'"';
    out[i++] = L' ';
    out[i++] = L'"';
    launcher_copy(out + i, script, ls);
    i += ls;
    out[i++] = L'"';
    if (lt > 0) {
        out[i++] = L' ';
        launcher_copy(out + i, tail, lt);
        i += lt;
    }

    out[i] = L'\0';
    return need;
}

/* " (error N)\r\n" into buf (32 characters suffice for any DWORD); an empty string for 0. */
static void launcher_error_suffix(unsigned long code, wchar_t *buf)
{
    static const wchar_t head[] = L" (error ";
    wchar_t digits[16];
    size_t n = 0, i = 0, k;
    if (code == 0) {
        launcher_copy(buf, L"\r\n", 3);
        return;
    }

    while (code > 0 && n < 16) {
        digits[n++] = (wchar_t)(L'0' + code % 10);
        code /= 10;
    }

    for (k = 0; head[k] != L'\0'; k++) {
        buf[i++] = head[k];
    }

    while (n > 0) {
        buf[i++] = digits[--n];
    }

    buf[i++] = L')';
    buf[i++] = L'\r';
    buf[i++] = L'\n';
    buf[i] = L'\0';
}

#endif
