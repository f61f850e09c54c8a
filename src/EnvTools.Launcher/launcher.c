/*
 * EnvTools' entry-point launcher for Windows (the project's own; no third-party code).
 *
 * Copied by EnvTools as <prefix>\Scripts\<name>.exe beside <prefix>\Scripts\<name>-script.py for every entry point of a
 * noarch: python package (conda's layout, recorded as "windows_python_entry_point_exe"). It runs
 *
 *     "<prefix>\python.exe" "<prefix>\Scripts\<name>-script.py" <the launcher's own arguments, verbatim>
 *
 * and exits with python's exit code. The prefix is the folder above the launcher's folder.
 *
 * - Arguments: the launcher's command line after its own program name is passed on byte for byte, so python parses
 *   exactly what the caller (PowerShell, cmd, Start-Process) wrote; the program name is skipped by the rule
 *   CommandLineToArgvW uses for argv[0] (quoted: up to the next quote; else up to the first space or tab). The two
 *   paths EnvTools adds are quoted; Windows paths hold no '"' and these end in a file name, so no backslash escaping
 *   is needed.
 * - Ctrl+C / Ctrl+Break: ignored by the launcher (like conda's and setuptools' launchers); the child, attached to the
 *   same console, gets the event and decides. The launcher waits and returns the child's code.
 * - The child is put in a job object that kills it if the launcher is killed (no orphaned python).
 * - Standard handles are inherited, so pipes and redirection work.
 *
 * Built by EnvTools.Core.csproj with mingw-w64 (x86_64-w64-mingw32-gcc) when it is installed and embedded in the
 * engine as a resource.
 */
#define WIN32_LEAN_AND_MEAN
#ifndef UNICODE
#define UNICODE
#endif
#include <windows.h>

#include "launcher_cmdline.h"

/* No C runtime is linked (-nostdlib): the compiler's own calls for zeroing structures land here. */
void *memset(void *to, int value, size_t n)
{
    volatile unsigned char *p = (volatile unsigned char *)to;
    while (n-- > 0) {
        *p++ = (unsigned char)value;
    }

    return to;
}

static BOOL WINAPI ignore_console_event(DWORD type)
{
    (void)type;
    return TRUE; /* the child, on the same console, handles Ctrl+C itself */
}

static void write_error(const wchar_t *a, const wchar_t *b, DWORD code)
{
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    wchar_t buf[32];
    const wchar_t *parts[4];
    DWORD written;
    int i;
    launcher_error_suffix(code, buf);
    parts[0] = L"envtools launcher: ";
    parts[1] = a;
    parts[2] = b;
    parts[3] = buf;
    for (i = 0; i < 4; i++) {
        /* UTF-8 so a path with any character survives a redirected stderr */
        int n = WideCharToMultiByte(CP_UTF8, 0, parts[i], -1, NULL, 0, NULL, NULL);
        if (n > 1) {
            char *u = (char *)HeapAlloc(GetProcessHeap(), 0, (SIZE_T)n);
            if (u != NULL) {
                WideCharToMultiByte(CP_UTF8, 0, parts[i], -1, u, n, NULL, NULL);
                WriteFile(err, u, (DWORD)(n - 1), &written, NULL);
                HeapFree(GetProcessHeap(), 0, u);
            }
        }
    }
}

int WINAPI envtools_launcher_main(void)
{
    const DWORD cap = 32768; /* the longest path Windows has */
    wchar_t *self = (wchar_t *)HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, cap * sizeof(wchar_t));
    wchar_t *python = (wchar_t *)HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, cap * sizeof(wchar_t));
    wchar_t *script = (wchar_t *)HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, cap * sizeof(wchar_t));
    if (self == NULL || python == NULL || script == NULL) {
        return 1;
    }

    DWORD n = GetModuleFileNameW(NULL, self, cap);
    if (n == 0 || n >= cap) {
        write_error(L"cannot read its own path", L"", GetLastError());
        return 1;
    }

    if (!launcher_paths(self, python, script, cap)) {
        write_error(L"unexpected launcher location: ", self, 0);
        return 1;
    }

    if (GetFileAttributesW(python) == INVALID_FILE_ATTRIBUTES) {
        write_error(L"the environment's python is missing: ", python, GetLastError());
        return 1;
    }

    if (GetFileAttributesW(script) == INVALID_FILE_ATTRIBUTES) {
        write_error(L"the entry point's script is missing: ", script, GetLastError());
        return 1;
    }

    const wchar_t *tail = launcher_skip_program_name(GetCommandLineW());
    size_t len = launcher_command_line(python, script, tail, NULL, 0);
    wchar_t *cmd = (wchar_t *)HeapAlloc(GetProcessHeap(), 0, len * sizeof(wchar_t));
    if (cmd == NULL) {
        return 1;
    }

    launcher_command_line(python, script, tail, cmd, len);

    SetConsoleCtrlHandler(ignore_console_event, TRUE);

    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (job != NULL) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION info;
        ZeroMemory(&info, sizeof(info));
        info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK;
        SetInformationJobObject(job, JobObjectExtendedLimitInformation, &info, sizeof(info));
    }

    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    GetStartupInfoW(&si);
    si.cb = sizeof(si);
    ZeroMemory(&pi, sizeof(pi));
    if (!CreateProcessW(python, cmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi)) {
        write_error(L"cannot start ", python, GetLastError());
        return 1;
    }

    if (job != NULL) {
        AssignProcessToJobObject(job, pi.hProcess); /* may fail inside a job that forbids nesting: then no job */
    }

    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD code = 1;
    if (!GetExitCodeProcess(pi.hProcess, &code)) {
        code = 1;
    }

    CloseHandle(pi.hProcess);
    return (int)code;
}

/* The process's entry point (linked with -nostartfiles: no C runtime start-up, nothing to parse twice). */
void WINAPI envtools_launcher_start(void)
{
    ExitProcess((UINT)envtools_launcher_main());
}
