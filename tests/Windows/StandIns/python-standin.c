/* python.exe for the Windows lane's test packages (no CPython for Windows can be had on the build machine).
 * Built with Debian's mingw-w64 by build.ps1 TestWindows; it does, for real, the few things EnvTools asks of an
 * environment's python.exe:
 *
 *   python.exe -V | --version                  prints "Python 3.11.9"
 *   python.exe [-Wi] -m compileall ... -i LIST  for every DIR\STEM.py named in LIST (one a line) writes
 *                                              DIR\__pycache__\STEM.cpython-311.pyc: a CPython 3.11 header (magic,
 *                                              flags, the source's mtime and size) and a marker body
 *   python.exe -c CODE                         prints "python-standin -c CODE"
 *   python.exe SCRIPT [ARGS...]                prints "python-standin ran SCRIPT ARGS..." and, when SCRIPT is an
 *                                              entry-point script, "entry point MODULE:FUNCTION"; an argument
 *                                              --exit=N makes the exit code N (to see launchers pass it on)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <windows.h>

static const unsigned char MAGIC_311[4] = { 0xA7, 0x0D, 0x0D, 0x0A };

static void put_le32(FILE *f, unsigned long v) {
    for (int i = 0; i < 4; i++) fputc((int)((v >> (8 * i)) & 0xFF), f);
}

/* writes the .pyc of one source file; 0 on success */
static int compile_one(const char *src) {
    const char *sep = strrchr(src, '\\');
    const char *fwd = strrchr(src, '/');
    if (fwd && (!sep || fwd > sep)) sep = fwd;
    if (!sep) return 0;
    size_t dirlen = (size_t)(sep - src);
    const char *name = sep + 1;
    size_t stemlen = strlen(name) - 3; /* without ".py" */

    char cache[MAX_PATH * 2], pyc[MAX_PATH * 2];
    snprintf(cache, sizeof cache, "%.*s\\__pycache__", (int)dirlen, src);
    if (!CreateDirectoryA(cache, NULL) && GetLastError() != ERROR_ALREADY_EXISTS) {
        fprintf(stderr, "cannot create %s (error %lu)\n", cache, GetLastError());
        return 1;
    }
    snprintf(pyc, sizeof pyc, "%s\\%.*s.cpython-311.pyc", cache, (int)stemlen, name);

    struct _stat64 st;
    if (_stat64(src, &st) != 0) {
        fprintf(stderr, "cannot stat %s\n", src);
        return 1;
    }
    FILE *out = fopen(pyc, "wb");
    if (!out) {
        fprintf(stderr, "cannot write %s\n", pyc);
        return 1;
    }
    fwrite(MAGIC_311, 1, 4, out);
    put_le32(out, 0);                           /* flags: timestamp-based */
    put_le32(out, (unsigned long)st.st_mtime);  /* source mtime */
    put_le32(out, (unsigned long)st.st_size);   /* source size */
    fputs("python-standin\n", out);
    fclose(out);
    return 0;
}

static int compileall(const char *list) {
    FILE *f = fopen(list, "r");
    if (!f) {
        fprintf(stderr, "cannot open the list %s\n", list);
        return 2;
    }
    char line[MAX_PATH * 2];
    int failures = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        size_t n = strlen(line);
        if (n > 3 && _stricmp(line + n - 3, ".py") == 0) failures += compile_one(line);
    }
    fclose(f);
    return failures ? 1 : 0;
}

/* prints "entry point MODULE:FUNCTION" for a conda entry-point script ("from M import F" ... "sys.exit(F())") */
static void describe_script(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024], module[512], function[256];
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "from %511s import %255[A-Za-z0-9_]", module, function) == 2) {
            printf("entry point %s:%s\n", module, function);
            break;
        }
    }
    fclose(f);
}

int main(int argc, char **argv) {
    int i;
    if (argc > 1 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
        puts("Python 3.11.9");
        return 0;
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-m") == 0 && i + 1 < argc && strcmp(argv[i + 1], "compileall") == 0) {
            for (int j = i + 2; j + 1 < argc; j++)
                if (strcmp(argv[j], "-i") == 0) return compileall(argv[j + 1]);
            return 0;
        }
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            printf("python-standin -c %s\n", argv[i + 1]);
            return 0;
        }
        if (argv[i][0] != '-') break; /* the script */
    }
    if (i >= argc) {
        fputs("python-standin: no script\n", stderr);
        return 2;
    }
    int code = 0;
    printf("python-standin ran");
    for (int j = i; j < argc; j++) {
        printf(" %s", argv[j]);
        if (strncmp(argv[j], "--exit=", 7) == 0) code = atoi(argv[j] + 7);
    }
    printf("\n");
    describe_script(argv[i]);
    return code;
}
