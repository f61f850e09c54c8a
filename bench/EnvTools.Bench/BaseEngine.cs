using System.Diagnostics;

namespace EnvTools.Bench;

/// <summary>
/// Another commit's engine for the SolveCompare suite: <c>git worktree add --detach</c> of the commit in a temporary
/// folder, <c>dotnet build src/EnvTools.Core -c Release</c> there, the worktree removed again; then a copy of this
/// harness's build folder with that EnvTools.Core.dll in place of the current one. The harness calls only engine
/// API that both commits have (the load and solve calls of <see cref="EnvToolsSolveRunner.Once"/>).
/// </summary>
internal static class BaseEngine
{
    /// <summary>The commit's short hash and subject line.</summary>
    internal static (string Commit, string Subject) Resolve(string root, string rev) =>
        (Git(root, "rev-parse", "--short", rev + "^{commit}"), Git(root, "log", "-1", "--format=%s", rev));

    /// <summary>The current commit, with a note when the engine's sources differ from it.</summary>
    internal static string Current(string root)
    {
        string head = Git(root, "rev-parse", "--short", "HEAD");
        string dirty = Git(root, "status", "--porcelain", "--", "src/EnvTools.Core");
        return dirty.Length == 0 ? head : head + " with uncommitted engine changes";
    }

    /// <summary>The folder to run the base side from: this harness's build with the commit's engine (built once, kept
    /// under bench/work/solve-compare/engine-COMMIT).</summary>
    internal static string Prepare(string root, string work, string commit)
    {
        string engine = Path.Combine(work, "solve-compare", "engine-" + commit);
        if (!File.Exists(Path.Combine(engine, "EnvTools.Core.dll")))
        {
            Build(root, commit, engine);
        }

        string bin = Path.Combine(work, "solve-compare", "base-bin");
        if (Directory.Exists(bin))
        {
            Directory.Delete(bin, recursive: true);
        }

        CopyTree(AppContext.BaseDirectory, bin);
        CopyTree(engine, bin);
        return bin;
    }

    private static void Build(string root, string commit, string engine)
    {
        string tree = Path.Combine(Path.GetTempPath(), $"envtools-base-{commit}-{Guid.NewGuid():N}");
        Console.WriteLine($"solve compare: building the engine of {commit} in {tree} ...");
        Git(root, "worktree", "add", "--detach", tree, commit);
        try
        {
            Run(tree, "dotnet", "build", "src/EnvTools.Core", "-c", "Release", "--nologo", "-v", "q");
            string dll = Directory.GetFiles(Path.Combine(tree, "src", "EnvTools.Core", "bin", "Release"), "EnvTools.Core.dll", SearchOption.AllDirectories)
                .Single();
            Directory.CreateDirectory(engine);
            foreach (string ext in new[] { ".pdb", ".dll" }) // the dll last: its presence marks a complete build
            {
                string file = Path.ChangeExtension(dll, ext);
                if (File.Exists(file))
                {
                    File.Copy(file, Path.Combine(engine, Path.GetFileName(file)), overwrite: true);
                }
            }
        }
        finally
        {
            Git(root, "worktree", "remove", "--force", tree);
        }
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private static string Git(string root, params string[] args) => Run(root, "git", args);

    private static string Run(string directory, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}{stdout}");
        }

        return stdout.Trim();
    }
}
