// xunit-win.exe: runs the engine's xunit suite (EnvTools.Core.Tests) in this process, for the Windows lane.
//
//   xunit-win.exe [--filter TEXT]... [--exclude TEXT]... [--list] [--parallel] [--verbose] [--rerun-failed]
//
// --filter matches a substring of the test's full name (Namespace.Class.Method, as dotnet test's FullyQualifiedName and
// build.ps1 -Filter), --exclude a substring of its display name (with the arguments); both case-insensitively.
// Prints every failure with its message and first stack lines, every skip with its reason, and closes with
// "xunit: N passed, N failed, N skipped". Exit code 1 when a test failed or the run reported an error.
// --rerun-failed (the Windows lane under Wine): the test cases that failed are run once more at the end; one that
// passes then is printed as [FLAKY] with its first failure kept above, and counts as passed; one that fails again
// counts as failed. The closing lines say how many passed only on the second run.
using System.Diagnostics;
using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace EnvTools.Windows.XunitHost;

internal static class Program
{
    private static int Main(string[] args)
    {
        var include = new List<string>();
        var exclude = new List<string>();
        bool list = false, parallel = false, verbose = false, rerunFailed = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--filter" when i + 1 < args.Length: include.Add(args[++i]); break;
                case "--exclude" when i + 1 < args.Length: exclude.Add(args[++i]); break;
                case "--list": list = true; break;
                case "--parallel": parallel = true; break;
                case "--verbose": verbose = true; break;
                case "--rerun-failed": rerunFailed = true; break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'");
                    return 64;
            }
        }

        var clock = Stopwatch.StartNew();
        var tests = Assembly.Load(new AssemblyName("EnvTools.Core.Tests"));
        var options = new Options();
        options.Set("xunit.discovery.PreEnumerateTheories", true);
        options.Set("xunit.execution.DisableParallelization", !parallel);
        options.Set("xunit.execution.MaxParallelThreads", parallel ? Environment.ProcessorCount : 1);
        var framework = new XunitTestFramework(new Reporter(verbose: false, clock));

        var found = new Discovered();
        using (var discoverer = framework.GetDiscoverer(Reflector.Wrap(tests)))
        {
            discoverer.Find(includeSourceInformation: false, found, options);
            found.Done.Wait();
        }

        static bool Matches(string name, List<string> texts) =>
            texts.Exists(t => name.Contains(t, StringComparison.OrdinalIgnoreCase));
        static string FullName(ITestCase c) => c.TestMethod.TestClass.Class.Name + "." + c.TestMethod.Method.Name;
        var run = found.Cases.Where(c => (include.Count == 0 || Matches(FullName(c), include)) && !Matches(c.DisplayName, exclude)).ToList();
        Console.WriteLine($"xunit: {found.Cases.Count} test cases found, {run.Count} selected ({clock.Elapsed.TotalSeconds:0.0} s)");
        if (list)
        {
            run.ForEach(c => Console.WriteLine(c.DisplayName));
            return 0;
        }

        var reporter = new Reporter(verbose, clock);
        using (var executor = framework.GetExecutor(tests.GetName()))
        {
            executor.RunTests(run, reporter, options);
            reporter.Finished.Wait();
        }

        int passed = reporter.Passed, failed = reporter.Failed, flaky = 0;
        // Only failures of test cases are run again; an error of the run itself or a fixture's cleanup is not.
        if (rerunFailed && failed > 0 && failed == reporter.FailedCases.Count)
        {
            var again = reporter.FailedCases.Select(id => run.First(c => c.UniqueID == id)).ToList();
            Console.WriteLine($"xunit: running the {again.Count} failed test case(s) once more");
            var second = new Reporter(verbose: true, clock);
            using (var executor = framework.GetExecutor(tests.GetName()))
            {
                executor.RunTests(again, second, options);
                second.Finished.Wait();
            }

            foreach (ITestCase c in again.Where(c => !second.FailedCases.Contains(c.UniqueID)))
            {
                Console.WriteLine($"[FLAKY] {c.DisplayName}: failed, then passed when run again (its failure is printed above)");
            }

            flaky = second.Passed;
            passed += second.Passed;
            failed = second.Failed;
        }

        Console.WriteLine($"xunit: {clock.Elapsed.TotalSeconds:0} s");
        if (flaky > 0)
        {
            Console.WriteLine($"xunit: {flaky} test case(s) failed once and passed when run again ([FLAKY] above)");
        }

        Console.WriteLine($"xunit: {passed} passed, {failed} failed, {reporter.Skipped} skipped");
        int code = failed > 0 ? 1 : 0;
        Console.WriteLine($"xunit: exit code {code}"); // the lane tells a process that dies at shutdown from one that failed
        Console.Out.Flush();
        return code;
    }

    /// <summary>The options xunit reads by name (the runner utility's TestFrameworkOptions is not served here).</summary>
    private sealed class Options : ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
    {
        private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

        public TValue GetValue<TValue>(string name) => _values.TryGetValue(name, out object? v) && v is TValue t ? t : default!;

        public void SetValue<TValue>(string name, TValue value) => _values[name] = value;

        public void Set<TValue>(string name, TValue value) => SetValue(name, value);
    }

    private sealed class Discovered : IMessageSink
    {
        public List<ITestCase> Cases { get; } = new();

        public ManualResetEventSlim Done { get; } = new();

        public bool OnMessage(IMessageSinkMessage message)
        {
            if (message is ITestCaseDiscoveryMessage d)
            {
                Cases.Add(d.TestCase);
            }
            else if (message is IDiscoveryCompleteMessage)
            {
                Done.Set();
            }

            return true;
        }
    }

    private sealed class Reporter(bool verbose, Stopwatch clock) : IMessageSink
    {
        private int _passed, _failed, _skipped;

        public int Passed => _passed;

        public int Failed => _failed;

        public int Skipped => _skipped;

        /// <summary>The unique ids of the test cases with a failed test.</summary>
        public HashSet<string> FailedCases { get; } = new(StringComparer.Ordinal);

        public ManualResetEventSlim Finished { get; } = new();

        public bool OnMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestPassed p:
                    Interlocked.Increment(ref _passed);
                    if (verbose)
                    {
                        Print($"[PASS] {p.Test.DisplayName} ({p.ExecutionTime:0.000} s)");
                    }

                    break;
                case ITestFailed f:
                    Interlocked.Increment(ref _failed);
                    lock (FailedCases)
                    {
                        FailedCases.Add(f.TestCase.UniqueID);
                    }

                    Print($"[FAIL] {f.Test.DisplayName} ({f.ExecutionTime:0.000} s)", Details(f.ExceptionTypes, f.Messages, f.StackTraces));
                    break;
                case ITestSkipped s:
                    Interlocked.Increment(ref _skipped);
                    Print($"[SKIP] {s.Test.DisplayName}: {s.Reason}");
                    break;
                case ITestCollectionFinished c when verbose:
                    Print($"  {c.TestCollection.DisplayName}: {c.TestsRun} run, {c.TestsFailed} failed ({clock.Elapsed.TotalSeconds:0} s)");
                    break;
                case IErrorMessage e:
                    Interlocked.Increment(ref _failed);
                    Print("[ERROR] the run reported an error", Details(e.ExceptionTypes, e.Messages, e.StackTraces));
                    break;
                case ITestCleanupFailure c:
                    Interlocked.Increment(ref _failed);
                    Print($"[FAIL] cleanup of {c.Test.DisplayName}", Details(c.ExceptionTypes, c.Messages, c.StackTraces));
                    break;
                case ITestClassCleanupFailure or ITestCollectionCleanupFailure or ITestAssemblyCleanupFailure:
                    var cf = (IFailureInformation)message;
                    Interlocked.Increment(ref _failed);
                    Print("[FAIL] a fixture's cleanup failed", Details(cf.ExceptionTypes, cf.Messages, cf.StackTraces));
                    break;
                case ITestAssemblyFinished:
                    Finished.Set();
                    break;
            }

            return true;
        }

        private static IEnumerable<string> Details(string?[] types, string?[] messages, string?[] stacks)
        {
            for (int i = 0; i < messages.Length; i++)
            {
                string[] lines = (messages[i] ?? string.Empty).Split('\n');
                yield return $"{types.ElementAtOrDefault(i)}: {string.Join("\n       ", lines.Take(8))}";
            }

            foreach (string line in (stacks.FirstOrDefault() ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(5))
            {
                yield return line.Trim();
            }
        }

        private static void Print(string head, IEnumerable<string>? details = null)
        {
            lock (Console.Out)
            {
                Console.WriteLine(head);
                foreach (string d in details ?? [])
                {
                    Console.WriteLine("       " + d);
                }

                Console.Out.Flush();
            }
        }
    }
}
