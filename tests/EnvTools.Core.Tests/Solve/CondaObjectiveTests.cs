using EnvTools.Conda;
using EnvTools.Solve;
using Xunit;
using static EnvTools.Tests.Solve.SolveTestUtil;

namespace EnvTools.Tests.Solve;

/// <summary>
/// conda's objective beyond the requested versions (conda/resolve.py): the number of tracked features in the whole
/// solution (features a dependency brings in count), then "misfeatures" (a record without a feature that is active
/// while a build with it exists), and <c>features</c> of a record as a requirement: something installed must track
/// each of them. The expected answers follow conda's rules; the real conda 25.11.1's classic solver gives the same.
/// </summary>
public class CondaObjectiveTests
{
    private static readonly PackageRecord[] LinuxVirtuals =
    {
        new() { Name = "__unix", Version = "0", Build = "0" },
        new() { Name = "__linux", Version = "6.1", Build = "0" },
        new() { Name = "__glibc", Version = "2.36", Build = "0" },
        new() { Name = "__archspec", Version = "1", Build = "x86_64" },
    };

    private static SolveResult Solve(SolverChannel channel, params string[] specs) =>
        CondaSolver.Solve(new SolveRequest { Channels = new[] { channel }, Specs = Specs(specs), VirtualPackages = LinuxVirtuals });

    private static RepoDataRecord Get(SolveResult r, string name) => r.Records.Single(x => x.Name == name);

    // The real conda 25.11.1's answers (classic solver: `conda create --dry-run --json -c file://<subset> --override-channels
    // <spec>`, CONDA_OVERRIDE_GLIBC=2.36), in full.
    private static readonly string[] CondaCPython39Base =
    {
        "_libgcc_mutex-0.1-conda_forge", "_openmp_mutex-4.5-2_gnu", "bzip2-1.0.8-hd590300_5", "ca-certificates-2024.2.2-hbcca054_0",
        "ld_impl_linux-64-2.40-h55db66e_0", "libffi-3.4.2-h7f98852_5", "libgcc-ng-13.2.0-h77fa898_7", "libgomp-13.2.0-h77fa898_7",
        "libnsl-2.0.1-hd590300_0", "libsqlite-3.45.3-h2797004_0", "libuuid-2.38.1-h0b41bf4_0", "libxcrypt-4.4.36-hd590300_1",
        "libzlib-1.2.13-hd590300_5", "ncurses-6.5-h59595ed_0", "openssl-3.3.0-hd590300_0", "pip-24.0-pyhd8ed1ab_0",
        "python-3.9.19-h0755675_0_cpython", "python_abi-3.9-4_cp39", "readline-8.2-h8228510_1", "tk-8.6.13-noxft_h4845f30_101",
        "tzdata-2024a-h0c530f3_0", "wheel-0.43.0-pyhd8ed1ab_1", "xz-5.2.6-h166bdaf_0",
    };

    [ConformanceTheory]
    [InlineData("setuptools=62.2.0", "setuptools-62.2.0-py39hf3d152e_0")]
    [InlineData("certifi==2022.5.18.1", "certifi-2022.5.18.1-py39hf3d152e_0", "setuptools-69.5.1-pyhd8ed1ab_0")]
    public void A_dependency_that_tracks_a_feature_counts_conda_forge_gives_CPython_not_PyPy(string spec, params string[] extra)
    {
        // both pythons satisfy the request; PyPy's python, python_abi and pypy3.9 track `pypy`: conda minimises the
        // features tracked by the whole solution (after the requested versions), so CPython it is
        var result = Solve(CondaForge39(), spec);
        Assert.Equal(CondaCPython39Base.Concat(extra).Order(StringComparer.Ordinal), Nvb(result));
        Assert.DoesNotContain(result.Records, r => r.TrackFeatures.Count > 0);
    }

    [ConformanceFact]
    public void A_requested_package_gets_its_highest_version_before_features_are_counted()
    {
        // found by the differential test: conda's version metric of the requested packages has no features, so the
        // requested sysroot is 2.28 (whose builds track two features), not 2.17 (the real conda 25.11.1 agrees)
        var result = Solve(CondaForge39(), "krb5==1.21.2", "sysroot_linux-aarch64", "c-ares>=1.14.0");
        Assert.Equal("2.28", Get(result, "sysroot_linux-aarch64").Version);
    }

    [ConformanceFact]
    public void Defaults_2018_numpy_base_takes_mkl_not_the_openblas_blas_that_tracks_nomkl()
    {
        // the real conda 25.11.1: numpy-base 1.14.3 py36hdbf6ddf_2, blas 1.0 mkl, mkl 2018.0.3, python 3.6.6 (18 packages)
        var result = Solve(CondaTestChannel("channel-4"), "numpy-base==1.14.3");
        Assert.DoesNotContain(result.Records, r => r.TrackFeatures.Count > 0);
        Assert.Equal("py36hdbf6ddf_2", Get(result, "numpy-base").Build);
        Assert.Equal(("1.0", "mkl"), (Get(result, "blas").Version, Get(result, "blas").Build));
        Assert.Equal("2018.0.3", Get(result, "mkl").Version);
        Assert.Equal(18, result.Records.Count);
    }

    [ConformanceFact]
    public void Defaults_2018_r_base_scipy_prefers_the_nomkl_scipy_build_when_nomkl_is_tracked_anyway()
    {
        // r-base needs blas * openblas (tracks nomkl either way); the featureless scipy 1.1.0 builds drag in mkl: conda's
        // misfeature metric prefers the build with the active feature (the real conda 25.11.1: scipy
        // 1.1.0 py36_nomklh9c1e066_0, numpy 1.14.2 py36_nomklh2b20989_1, python 3.6.6, no mkl, 54 packages)
        var result = Solve(CondaTestChannel("channel-4"), "r-base", "scipy");
        Assert.Equal(("1.1.0", "py36_nomklh9c1e066_0"), (Get(result, "scipy").Version, Get(result, "scipy").Build));
        Assert.Equal("py36_nomklh2b20989_1", Get(result, "numpy").Build);
        Assert.Equal("3.6.6", Get(result, "python").Version);
        Assert.DoesNotContain(result.Records, r => r.Name == "mkl");
        Assert.Equal(54, result.Records.Count);
    }

    [Fact]
    public void Features_of_a_record_are_a_requirement_something_installed_must_track_them()
    {
        var withTracker = Channel("test",
            Rec("a", "1.0", "feat_0", features: new[] { "foo" }),
            Rec("a", "0.9", "0"),
            Rec("foo-tracker", "1.0", "0", trackFeatures: new[] { "foo" }));
        // conda maximises the requested version first: a 1.0 with a tracker of foo
        Assert.Equal(new[] { "a-1.0-feat_0", "foo-tracker-1.0-0" }, Nvb(CondaSolver.Solve(new SolveRequest { Channels = new[] { withTracker }, Specs = Specs("a") })));

        var noTracker = Channel("test", Rec("a", "1.0", "feat_0", features: new[] { "foo" }), Rec("a", "0.9", "0"));
        // nothing tracks foo: a 1.0 cannot be installed
        Assert.Equal(new[] { "a-0.9-0" }, Nvb(CondaSolver.Solve(new SolveRequest { Channels = new[] { noTracker }, Specs = Specs("a") })));
        Assert.Throws<UnsatisfiableException>(() => CondaSolver.Solve(new SolveRequest { Channels = new[] { noTracker }, Specs = Specs("a=1.0") }));
    }
}
