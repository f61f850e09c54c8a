using EnvTools.Solve.Encoding;
using EnvTools.Solve.Sat;
using Xunit;

namespace EnvTools.Tests.Solve.ClauseEncoding;

/// <summary>The clause encoder on small hand-written providers (no conda records or specs involved).</summary>
public class ClauseEncoderTests
{
    private sealed record Outcome(SatResult Result, ClauseEncoder Encoder, SatSolver Solver, ToyProvider Provider)
    {
        /// <summary>The installed packages (reachable from the roots), sorted.</summary>
        public string[] Installed => Encoder.Reachable(Solver.GetModel()).Select(Provider.DisplaySolvable).Order(StringComparer.Ordinal).ToArray();

        /// <summary>The origins of the clauses of the unsatisfiable core, as text.</summary>
        public string[] Core => Solver.GetCoreTags().Select(t => Describe(Encoder.Origins[t])).Distinct().Order(StringComparer.Ordinal).ToArray();

        private string Describe(ClauseOrigin o) => o.Kind switch
        {
            ClauseKind.Root => $"root {Provider.DisplayRequirement(o.Requirement)}",
            ClauseKind.Depends => $"{Provider.DisplaySolvable(o.Solvable)} depends {Provider.DisplayRequirement(o.Requirement)}",
            ClauseKind.Constrains => $"{Provider.DisplaySolvable(o.Solvable)} constrains {Provider.DisplayRequirement(o.Requirement)} against {Provider.DisplaySolvable(o.Other)}",
            _ => $"excluded {Provider.DisplaySolvable(o.Solvable)} ({o.Index})",
        };
    }

    private static Outcome Solve(ToyProvider p, string[] roots, Exclusion[]? exclusions = null)
    {
        var solver = new SatSolver(new SatSolverOptions { TrackCore = true });
        int[] rootIds = roots.Select(p.Require).ToArray();
        var encoder = new ClauseEncoder(p, solver, rootIds, exclusions ?? Array.Empty<Exclusion>());
        return new Outcome(solver.Solve(), encoder, solver, p);
    }

    [Fact]
    public void DependencyChainIsInstalledAndNothingElse()
    {
        var p = new ToyProvider();
        p.Add("a", 1, depends: new[] { "b" });
        p.Add("b", 1, depends: new[] { "c >= 2" });
        p.Add("c", 1);
        p.Add("c", 2);
        p.Add("d", 1); // nothing needs it
        var o = Solve(p, new[] { "a" });
        Assert.Equal(SatResult.Satisfiable, o.Result);
        Assert.Equal(new[] { "a 1", "b 1", "c 2" }, o.Installed);
        Assert.False(o.Solver.GetModel()[p.Id("d", 1)]); // an optional package stays out of the model too
    }

    [Fact]
    public void ConflictingDependenciesAreUnsatisfiableWithTheirCore()
    {
        var p = new ToyProvider();
        p.Add("a", 1, depends: new[] { "c == 1" });
        p.Add("b", 1, depends: new[] { "c == 2" });
        p.Add("c", 1);
        p.Add("c", 2);
        p.Add("d", 1);
        var o = Solve(p, new[] { "a", "b", "d" });
        Assert.Equal(SatResult.Unsatisfiable, o.Result);
        // the core: both roots, both dependencies (the at-most-one of c is untagged); the root d is no part of it
        Assert.Equal(new[] { "a 1 depends c == 1", "b 1 depends c == 2", "root a", "root b" }, o.Core);
    }

    [Fact]
    public void ConstrainsExcludesTheCandidatesItDoesNotMatch()
    {
        var p = new ToyProvider();
        p.Add("a", 1, constrains: new[] { "b < 2" });
        p.Add("b", 1);
        p.Add("b", 2);
        var o = Solve(p, new[] { "a", "b" });
        Assert.Equal(SatResult.Satisfiable, o.Result);
        Assert.Equal(new[] { "a 1", "b 1" }, o.Installed); // b 2 is newest but constrained away

        var unconstrained = Solve(p, new[] { "b" });
        Assert.Equal(new[] { "b 2" }, unconstrained.Installed);
    }

    [Fact]
    public void ConstrainsDoesNotPullTheNameIn()
    {
        var p = new ToyProvider();
        p.Add("a", 1, constrains: new[] { "b < 2" });
        p.Add("b", 1);
        var o = Solve(p, new[] { "a" });
        Assert.Equal(new[] { "a 1" }, o.Installed);
        Assert.False(o.Solver.GetModel()[p.Id("b", 1)]);
    }

    [Fact]
    public void ConstrainsConflictNamesTheExcludedCandidate()
    {
        var p = new ToyProvider();
        p.Add("a", 1, constrains: new[] { "b < 2" });
        p.Add("b", 2);
        var o = Solve(p, new[] { "a", "b" });
        Assert.Equal(SatResult.Unsatisfiable, o.Result);
        Assert.Equal(new[] { "a 1 constrains b < 2 against b 2", "root a", "root b" }, o.Core);
    }

    [Fact]
    public void TheFirstCandidateOfTheSortOrderIsChosen()
    {
        var newest = new ToyProvider();
        var old = new ToyProvider { OldestFirst = true };
        foreach (var p in new[] { newest, old })
        {
            p.Add("a", 1, depends: new[] { "b" });
            p.Add("a", 2, depends: new[] { "b" });
            p.Add("a", 3, depends: new[] { "b" });
            p.Add("b", 1);
            p.Add("b", 2);
        }

        Assert.Equal(new[] { "a 3", "b 2" }, Solve(newest, new[] { "a" }).Installed);
        Assert.Equal(new[] { "a 1", "b 1" }, Solve(old, new[] { "a" }).Installed);
    }

    [Fact]
    public void ANewerCandidateWithAMissingDependencyFallsBackToAnOlderOne()
    {
        var p = new ToyProvider();
        p.Add("a", 1);
        p.Add("a", 2, depends: new[] { "gone" }); // no package "gone": that requirement has no match
        p.Add("a", 3, depends: new[] { "b >= 5" }); // b has no version 5
        p.Add("b", 1);
        var o = Solve(p, new[] { "a" });
        Assert.Equal(SatResult.Satisfiable, o.Result);
        Assert.Equal(new[] { "a 1" }, o.Installed);
    }

    [Fact]
    public void ARootWithoutMatchesIsUnsatisfiable()
    {
        var p = new ToyProvider();
        p.Add("a", 1);
        var o = Solve(p, new[] { "a", "a >= 2" });
        Assert.Equal(SatResult.Unsatisfiable, o.Result);
        Assert.Equal(new[] { "root a >= 2" }, o.Core);
    }

    [Fact]
    public void AtMostOneCandidatePerName()
    {
        var p = new ToyProvider();
        p.Add("a", 1, depends: new[] { "c == 1" });
        p.Add("c", 1);
        p.Add("c", 2);
        var o = Solve(p, new[] { "a", "c >= 2" });
        Assert.Equal(SatResult.Unsatisfiable, o.Result);
        Assert.Equal(new[] { "a 1 depends c == 1", "root a", "root c >= 2" }, o.Core);

        var both = Solve(p, new[] { "a", "c" });
        Assert.Equal(new[] { "a 1", "c 1" }, both.Installed); // c 2 first by order, but a needs c 1 and one c only
    }

    [Fact]
    public void ExclusionsRemoveACandidateAndShowInTheCore()
    {
        var p = new ToyProvider();
        p.Add("a", 1);
        p.Add("a", 2);
        var o = Solve(p, new[] { "a" }, new[] { new Exclusion(p.Id("a", 2), 7) });
        Assert.Equal(new[] { "a 1" }, o.Installed);

        var none = Solve(p, new[] { "a" }, new[] { new Exclusion(p.Id("a", 2), 7), new Exclusion(p.Id("a", 1), 8) });
        Assert.Equal(SatResult.Unsatisfiable, none.Result);
        Assert.Equal(new[] { "excluded a 1 (8)", "excluded a 2 (7)", "root a" }, none.Core);
    }

    [Fact]
    public void OnlyTheCandidatesTriedAreEncoded()
    {
        var p = new ToyProvider();
        for (int v = 1; v <= 6; v++)
        {
            p.Add("a", v, depends: new[] { $"b{v}" }); // a v needs b<v>, a name of its own
            p.Add($"b{v}", 1);
        }

        var o = Solve(p, new[] { "a" });
        Assert.Equal(new[] { "a 6", "b6 1" }, o.Installed);
        // clauses came from a 6 and b6 1 only: one dependency clause; no other a's dependency was encoded
        Assert.Equal(new[] { "a 6" }, o.Encoder.Origins.Where(x => x.Kind == ClauseKind.Depends).Select(x => p.DisplaySolvable(x.Solvable)));
    }

    [Fact]
    public void ANotEqualDependencyConflictsWithARootOnTheExcludedCandidate()
    {
        var p = new ToyProvider();
        p.Add("a", 1, depends: new[] { "c != 3" });
        p.Add("c", 1);
        p.Add("c", 2);
        p.Add("c", 3);
        var o = Solve(p, new[] { "a", "c == 3" });
        Assert.Equal(SatResult.Unsatisfiable, o.Result);
        // the implied binary exclusion (not a 1, or not c 3) carries the dependency's tag: the core names it
        Assert.Equal(new[] { "a 1 depends c != 3", "root a", "root c == 3" }, o.Core);
    }

    [Fact]
    public void TwoRootsOnOneNameCannotHaveTwoCandidates()
    {
        var p = new ToyProvider();
        p.Add("c", 1);
        p.Add("c", 2);
        var o = Solve(p, new[] { "c == 1", "c == 2" });
        Assert.Equal(SatResult.Unsatisfiable, o.Result); // only the name's at-most-one forbids c 1 with c 2
        Assert.Equal(new[] { "root c == 1", "root c == 2" }, o.Core);
    }

    [Fact]
    public void ADependencyThatExcludesManyCandidatesHoldsThroughTheAtMostOne()
    {
        var p = new ToyProvider();
        p.Add("a", 1, depends: new[] { "c == 1" });
        for (int v = 1; v <= 12; v++)
        {
            p.Add("c", v); // 11 candidates fail "c == 1": too many for implied binary exclusions
        }

        var o = Solve(p, new[] { "a", "c >= 5" });
        Assert.Equal(SatResult.Unsatisfiable, o.Result);
        Assert.Equal(new[] { "a 1 depends c == 1", "root a", "root c >= 5" }, o.Core);

        var both = Solve(p, new[] { "c", "a" });
        Assert.Equal(new[] { "a 1", "c 1" }, both.Installed); // c 12 is tried first; a 1 takes c 1, and one c only
    }
}
