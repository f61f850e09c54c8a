# Interoperability with the real conda 25.11.1 (../shared/realconda, pure Python, run offline with Debian's python3):
# environments EnvTools makes are read and changed by conda and the other way round, one package cache is shared by
# both, and each one's export files are consumed by the other. The packages are conda's own test packages
# (../shared/data/packages/conda-tests/test-recipes/noarch) in a file:// channel. Every check compares package sets
# and files, not only exit codes.
#
# Needs conda's Debian packages (see README.md, "Development"). Outside CI the suite is skipped with a message when they
# or the data are missing; under CI=true it fails instead.
BeforeDiscovery {
    $shared = Join-Path $PSScriptRoot '../../../shared'
    Import-Module (Join-Path $PSScriptRoot 'TestData.psm1') -Force
    $data = Get-ConformanceDataRoot
    $conda = Join-Path $shared 'realconda/conda'
    $script:interopMissing = @()
    if (-not (Test-Path $conda)) { $script:interopMissing += "the real conda ($conda)" }
    if (-not (Test-Path (Join-Path $data 'packages/conda-tests/test-recipes/noarch'))) { $script:interopMissing += "the conformance data ($data)" }
    if (-not $IsLinux) { $script:interopMissing += 'Linux (the real conda runs with Debian''s python3)' }
    elseif (Test-Path $conda) {
        & /usr/bin/python3 -c 'import pycosat, ruamel.yaml, requests, zstandard, conda_package_streaming, conda_package_handling, tqdm, pluggy, jsonpatch, distro, packaging, charset_normalizer, toolz' 2>$null
        if ($LASTEXITCODE -ne 0) { $script:interopMissing += 'the Debian packages the real conda needs (python3-pycosat python3-ruamel.yaml … conda-package-handling; see README.md)' }
    }
    # Unix-only: the real conda runs with Debian's python3 (on Windows the suite is skipped, under CI too)
    $script:skipInterop = $IsWindows -or ($interopMissing.Count -gt 0 -and $env:CI -ne 'true')
    if ($skipInterop) { Write-Warning "Interop tests skipped: missing $($interopMissing -join ', ')" }
}

Describe 'Interoperability with the real conda' -Tag Interop, UnixOnly -Skip:$skipInterop {
    BeforeAll {
        if ($interopMissing.Count -gt 0) { throw "CI=true and the interop suite cannot run: missing $($interopMissing -join ', ')" }
        $modulePath = $env:ENVTOOLS_MODULE
        if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
        Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestIsolation.psm1') -Force
        Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

        $shared = Join-Path $PSScriptRoot '../../../shared'
        Import-Module (Join-Path $PSScriptRoot 'TestData.psm1') -Force
        $script:data = Get-ConformanceDataRoot
        $script:condaExe = (Resolve-Path (Join-Path $shared 'realconda/conda')).Path
        $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
        foreach ($k in 'CONDA_SANDBOX', 'CONDA_SANDBOX_HOME', 'CONDA_ADD_PIP_AS_PYTHON_DEPENDENCY') { $saved[$k] = [Environment]::GetEnvironmentVariable($k) }
        # conda runs in its own sandbox (HOME, CONDARC, root prefix) but shares EnvTools' package cache and the
        # user's ~/.conda/environments.txt; it does not add pip to python's dependencies (the test python is a fake)
        $env:CONDA_SANDBOX = Join-Path $TestDrive 'conda-sandbox'
        $env:CONDA_SANDBOX_HOME = $env:HOME
        $env:CONDA_ADD_PIP_AS_PYTHON_DEPENDENCY = 'false'
        $script:pkgs = $env:CONDA_PKGS_DIRS
        $script:envsTxt = Join-Path $env:HOME '.conda/environments.txt'

        # the channel: conda's test packages, indexed by EnvTools' own indexer
        $script:chanDir = Join-Path $TestDrive 'chan'
        New-Item -ItemType Directory (Join-Path $chanDir 'noarch'), (Join-Path $chanDir 'linux-64') -Force | Out-Null
        $recipes = Join-Path $data 'packages/conda-tests/test-recipes/noarch'
        foreach ($n in 'dependency-1.0-0.conda', 'dependency-2.0-0.conda', 'dependent-1.0-0.conda', 'dependent-2.0-0.conda',
                       'another_dependent-1.0-0.conda', 'python-3.99.99-0.conda', 'sample_noarch_python-1.0-py_0.conda',
                       'font-ttf-inconsolata-23.12.6-0.tar.bz2', 'small-executable-1.0-0.conda') {
            Copy-Item (Join-Path $recipes $n) (Join-Path $chanDir 'noarch')
        }
        Update-TestChannelIndex $chanDir | Out-Null
        $script:chanUrl = [Uri]::new($chanDir, [UriKind]::Absolute).AbsoluteUri

        function script:Invoke-Conda {
            # the real conda; returns its output, throws with it on a non-zero exit code
            # conda sees only the variables of its sandbox and the shared cache: none that EnvTools' test isolation or
            # another suite in this process set (conda rejects a fractional CONDA_REMOTE_BACKOFF_FACTOR, and
            # CONDA_ENVS_PATH beside CONDA_ENVS_DIRS)
            $keep = 'CONDA_SANDBOX', 'CONDA_SANDBOX_HOME', 'CONDA_PKGS_DIRS', 'CONDA_ADD_PIP_AS_PYTHON_DEPENDENCY', 'CONDA_SUBDIR'
            $hidden = @{}
            foreach ($v in Get-ChildItem env: | Where-Object { $_.Name -like 'CONDA_*' -and $_.Name -notin $keep }) {
                $hidden[$v.Name] = $v.Value
                Remove-Item "env:$($v.Name)"
            }
            try { $out = & $condaExe @args 2>&1 | ForEach-Object { "$_" } }
            finally { foreach ($k in $hidden.Keys) { Set-TestVariable $k $hidden[$k] } }
            if ($LASTEXITCODE -ne 0) { throw "conda $($args -join ' ') failed ($LASTEXITCODE):`n$($out -join "`n")" }
            $out
        }
        function script:Get-CondaSet([string] $Prefix) {
            # conda's view of an environment: name=version=build, sorted
            (Invoke-Conda list -p $Prefix --json | Out-String | ConvertFrom-Json) |
                ForEach-Object { "$($_.name)=$($_.version)=$($_.build_string)" } | Sort-Object
        }
        function script:Get-EnvToolsSet([string] $Prefix) {
            Get-EnvPackage -Prefix $Prefix | ForEach-Object { "$($_.Name)=$($_.Version)=$($_.Build)" } | Sort-Object
        }
        function script:Get-Listed([string] $Prefix) {
            # every file every conda-meta record lists, relative to the prefix
            Get-ChildItem (Join-Path $Prefix 'conda-meta') -Filter *.json | ForEach-Object {
                (Get-Content $_.FullName -Raw | ConvertFrom-Json).files
            } | Sort-Object
        }
        function script:Assert-FilesPresent([string] $Prefix) {
            foreach ($f in Get-Listed $Prefix) {
                if ($f -notlike '*.pyc') { Test-Path -LiteralPath (Join-Path $Prefix $f) | Should -BeTrue -Because "$f is listed in conda-meta" }
            }
        }
        function script:Get-Doctor([string] $Prefix) { (Invoke-Conda doctor -p $Prefix -v) -join "`n" }
        function script:Get-EnvsTxt { if (Test-Path $envsTxt) { @(Get-Content $envsTxt | Where-Object { $_ }) } else { @() } }
    }

    AfterAll {
        Restore-IsolatedConda $saved
    }

    Context 'an EnvTools environment, read and changed by conda' {
        BeforeAll {
            $script:e1 = Join-Path $TestDrive 'envs/et1'
            New-Env -Prefix $e1 dependency sample_noarch_python 'python=3.99.99' font-ttf-inconsolata -Channel $chanUrl | Out-Null
        }

        It 'is listed by conda as EnvTools lists it (conda list, --explicit --md5)' {
            $expected = 'dependency=2.0=0', 'font-ttf-inconsolata=23.12.6=0', 'python=3.99.99=0', 'sample_noarch_python=1.0=py_0'
            Get-EnvToolsSet $e1 | Should -Be $expected
            Get-CondaSet $e1 | Should -Be $expected
            $explicit = Invoke-Conda list -p $e1 --explicit --md5 | Where-Object { $_ -like 'file:*' } | Sort-Object
            $records = Get-ChildItem (Join-Path $e1 'conda-meta') -Filter *.json | ForEach-Object { Get-Content $_.FullName -Raw | ConvertFrom-Json }
            $explicit | Should -Be ($records | ForEach-Object { "$($_.url)#$($_.md5)" } | Sort-Object)
        }

        It 'is exported by conda, in full and from its history (env export, --from-history)' {
            $full = Invoke-Conda env export -p $e1 | Where-Object { $_ -match '^\s+- [a-z]' -and $_ -notmatch 'file:' } | ForEach-Object { $_.Trim().TrimStart('- ') } | Sort-Object
            $full | Should -Be @('dependency=2.0=0', 'font-ttf-inconsolata=23.12.6=0', 'python=3.99.99=0', 'sample_noarch_python=1.0=py_0')
            $history = Invoke-Conda env export -p $e1 --from-history | Where-Object { $_ -match '^\s+- ' } | ForEach-Object { $_.Trim().TrimStart('- ') } | Sort-Object
            $history | Should -Be @('dependency', 'font-ttf-inconsolata', 'python=3.99.99', 'sample_noarch_python')
            (Invoke-Conda list -p $e1 --revisions) -join "`n" | Should -Match '(?s)\(rev 0\).*\+sample_noarch_python-1\.0'
        }

        It 'passes conda doctor, and conda doctor sees a file edited in place' {
            $report = Get-Doctor $e1
            $report | Should -Match 'There are no packages with missing files'
            $report | Should -Match 'There are no packages with altered files'
            # replace (not write through: the file is a hard link into the shared cache) a packaged file with other bytes
            $font = Get-Listed $e1 | Where-Object { $_ -like 'fonts/*' } | Select-Object -First 1
            $path = Join-Path $e1 $font
            $bytes = [IO.File]::ReadAllBytes($path); $bytes[0] = $bytes[0] -bxor 0xFF
            Remove-Item -LiteralPath $path; [IO.File]::WriteAllBytes($path, $bytes)
            Get-Doctor $e1 | Should -Match ([regex]::Escape($font))
            (Test-Env -Prefix $e1).Path | Should -Be $font
            $bytes[0] = $bytes[0] -bxor 0xFF
            Remove-Item -LiteralPath $path; [IO.File]::WriteAllBytes($path, $bytes)
            Test-Env -Prefix $e1 | Should -BeNullOrEmpty
        }

        It 'is changed by conda (install, remove, offline from a file:// channel) and read back by EnvTools' {
            Invoke-Conda install -p $e1 -c $chanUrl --override-channels 'dependent=2.0' | Out-Null
            Get-EnvToolsSet $e1 | Should -Contain 'dependent=2.0=0'
            Get-EnvToolsSet $e1 | Should -Be (Get-CondaSet $e1)
            Test-Env -Prefix $e1 | Should -BeNullOrEmpty

            $sample = (Get-Content (Join-Path $e1 'conda-meta/sample_noarch_python-1.0-py_0.json') -Raw | ConvertFrom-Json).files
            Invoke-Conda remove -p $e1 sample_noarch_python | Out-Null
            Get-EnvToolsSet $e1 | Should -Not -Contain 'sample_noarch_python=1.0=py_0'
            foreach ($f in $sample) { Test-Path (Join-Path $e1 $f) | Should -BeFalse }
            Test-Env -Prefix $e1 | Should -BeNullOrEmpty
            $yaml = Export-Env -Prefix $e1 | Out-String
            $yaml | Should -Match 'dependent=2\.0=0'
            $yaml | Should -Not -Match 'sample_noarch_python'

            # and EnvTools changes it again after conda
            Install-EnvPackage -Prefix $e1 another_dependent -Channel $chanUrl | Out-Null
            Get-CondaSet $e1 | Should -Contain 'another_dependent=1.0=0'
            (Get-Doctor $e1) | Should -Match 'There are no packages with missing files'
        }
    }

    Context 'a conda environment, read and changed by EnvTools, then changed again by conda' {
        BeforeAll {
            $script:c1 = Join-Path $TestDrive 'envs/conda1'
            Invoke-Conda create -p $c1 -c $chanUrl --override-channels sample_noarch_python 'python=3.99.99' 'dependency=1.0' | Out-Null
        }

        It 'is read by EnvTools as conda lists it, and verifies clean (noarch: python paths as conda records them)' {
            Get-EnvToolsSet $c1 | Should -Be (Get-CondaSet $c1)
            Test-Env -Prefix $c1 | Should -BeNullOrEmpty
            (Get-EnvPackage -Prefix $c1 -Package sample_noarch_python).RequestedSpec | Should -Be 'sample_noarch_python'
        }

        It 'is changed by EnvTools, and conda changes it after that' {
            Install-EnvPackage -Prefix $c1 'dependent=1.0' -Channel $chanUrl | Out-Null
            $sample = Get-Listed $c1 | Where-Object { $_ -like '*sample.py' }
            $sample | Should -Not -BeNullOrEmpty
            Uninstall-EnvPackage -Prefix $c1 sample_noarch_python | Out-Null
            foreach ($f in $sample) { Test-Path (Join-Path $c1 $f) | Should -BeFalse -Because 'the file conda linked is removed' }
            Get-EnvToolsSet $c1 | Should -Be (Get-CondaSet $c1)
            Test-Env -Prefix $c1 | Should -BeNullOrEmpty

            Invoke-Conda install -p $c1 -c $chanUrl --override-channels another_dependent | Out-Null
            Get-CondaSet $c1 | Should -Contain 'another_dependent=1.0=0'
            Get-EnvToolsSet $c1 | Should -Be (Get-CondaSet $c1)
            Test-Env -Prefix $c1 | Should -BeNullOrEmpty
            $report = Get-Doctor $c1
            $report | Should -Match 'There are no packages with missing files'
            $report | Should -Match 'There are no packages with altered files'
            $fromHistory = Invoke-Conda env export -p $c1 --from-history | Where-Object { $_ -match '^\s+- ' } | ForEach-Object { $_.Trim().TrimStart('- ') } | Sort-Object
            $fromHistory | Should -Be @('another_dependent', 'dependency=1.0', 'dependent=1.0', 'python=3.99.99')
        }
    }

    Context 'revisions: a history written by conda, read and restored by EnvTools, and the other way round' {
        It 'Get-EnvHistory reads conda''s history as conda list --revisions does; Restore-Env and conda install --revision agree' {
            $c = Join-Path $TestDrive 'envs/conda-rev'
            Invoke-Conda create -p $c -c $chanUrl --override-channels 'dependent=1.0' | Out-Null       # rev 0
            Invoke-Conda install -p $c -c $chanUrl --override-channels 'dependent=2.0' | Out-Null      # rev 1
            Invoke-Conda install -p $c -c $chanUrl --override-channels another_dependent | Out-Null    # rev 2
            $condaRevs = @(Invoke-Conda list -p $c --revisions | Where-Object { $_ -match '\(rev \d+\)' })
            $revs = Get-EnvHistory -Prefix $c
            $revs.Count | Should -Be $condaRevs.Count
            $revs.Revision | Should -Be @(0, 1, 2)
            $revs[0].Command | Should -Match 'conda.* create '
            $revs[0].CondaVersion | Should -Match '^25\.11'
            @($revs[0].Added.Name | Sort-Object) | Should -Be @('dependency', 'dependent')
            $revs[0].RequestedSpecs | Should -Be @('dependent=1.0')
            @($revs[1].Upgraded.Name | Sort-Object) | Should -Be @('dependency', 'dependent')
            ($revs[1].Upgraded | Where-Object Name -eq dependent).OldVersion | Should -Be '1.0'
            $revs[2].Added.Name | Should -Be 'another_dependent'
            $revs[2].Added[0].Channel | Should -Not -BeNullOrEmpty

            # EnvTools restores conda's revision 0 from the shared cache, offline
            $changes = Restore-Env -Prefix $c -Revision 0 -Offline
            @($changes | ForEach-Object { "$($_.Action) $($_.Name)" } | Sort-Object) | Should -Be @('Downgrade dependency', 'Downgrade dependent', 'Remove another_dependent')
            Get-CondaSet $c | Should -Be @('dependency=1.0=0', 'dependent=1.0=0')
            Test-Env -Prefix $c | Should -BeNullOrEmpty
            # conda reads EnvTools' revision, and reverts with it: back to its own revision 2
            (Invoke-Conda list -p $c --revisions) -join "`n" | Should -Match '\(rev 3\)'
            Invoke-Conda install -p $c -c $chanUrl --override-channels --revision 2 | Out-Null
            Get-CondaSet $c | Should -Be @('another_dependent=1.0=0', 'dependency=2.0=0', 'dependent=2.0=0')
            Get-EnvToolsSet $c | Should -Be (Get-CondaSet $c)
            (Get-EnvHistory -Prefix $c).Count | Should -Be 5
            (Get-Doctor $c) | Should -Match 'There are no packages with missing files'
        }
    }

    Context 'one package cache, shared by both' {
        It 'is used by conda after EnvTools filled it, and by EnvTools after conda did, without re-extraction' {
            # EnvTools extracts small-executable; conda links it from the cache as it is
            $e = Join-Path $TestDrive 'envs/cache-et'
            New-Env -Prefix $e small-executable -Channel $chanUrl | Out-Null
            $entry = Join-Path $pkgs 'small-executable-1.0-0'
            $before = Get-TreeDigest $entry
            $marker = (Get-Item (Join-Path $entry 'info/repodata_record.json')).LastWriteTimeUtc
            $c = Join-Path $TestDrive 'envs/cache-conda'
            Invoke-Conda create -p $c -c $chanUrl --override-channels small-executable | Out-Null
            (Get-Item (Join-Path $entry 'info/repodata_record.json')).LastWriteTimeUtc | Should -Be $marker
            Get-TreeDigest $entry | Should -Be $before
            $listed = Get-Listed $c | Where-Object { $_ -like 'bin/*' } | Select-Object -First 1
            (Get-Item (Join-Path $c $listed)).LinkType | Should -Be 'HardLink' -Because 'conda links the entry EnvTools extracted'

            # conda extracts dependent-2.0 (not yet in the cache); EnvTools links it from there
            Test-Path (Join-Path $pkgs 'dependent-2.0-0') | Should -BeFalse
            $c2 = Join-Path $TestDrive 'envs/cache-conda2'
            Invoke-Conda create -p $c2 -c $chanUrl --override-channels 'dependent=2.0' | Out-Null
            $entry2 = Join-Path $pkgs 'dependent-2.0-0'
            $before2 = Get-TreeDigest $entry2
            $marker2 = (Get-Item (Join-Path $entry2 'info/repodata_record.json')).LastWriteTimeUtc
            $e2 = Join-Path $TestDrive 'envs/cache-et2'
            New-Env -Prefix $e2 'dependent=2.0' -Channel $chanUrl -Offline | Out-Null
            (Get-Item (Join-Path $entry2 'info/repodata_record.json')).LastWriteTimeUtc | Should -Be $marker2
            Get-TreeDigest $entry2 | Should -Be $before2
            (Get-Content (Join-Path $e2 'conda-meta/dependent-2.0-0.json') -Raw | ConvertFrom-Json).extracted_package_dir | Should -Be $entry2
            foreach ($p in $e, $c, $e2, $c2) {
                Test-Env -Prefix $p | Should -BeNullOrEmpty
                Get-Doctor $p | Should -Match 'There are no packages with missing files'
            }
        }
    }

    Context 'export files, both ways' {
        BeforeAll {
            $script:src = Join-Path $TestDrive 'envs/export-src'
            New-Env -Prefix $src 'dependent=1.0' sample_noarch_python 'python=3.99.99' -Channel $chanUrl | Out-Null
            $script:srcSet = Get-EnvToolsSet $src
        }

        It 'Export-Env -Format <Format> <Switch> is created by conda with the same packages' -ForEach @(
            @{ Format = 'Yaml'; Switch = ''; Kind = 'env' }
            @{ Format = 'Yaml'; Switch = '-NoBuilds'; Kind = 'env' }
            @{ Format = 'Yaml'; Switch = '-FromHistory'; Kind = 'env' }
            @{ Format = 'Explicit'; Switch = ''; Kind = 'file' }
        ) {
            $file = Join-Path $TestDrive "export-$Format$Switch.$(if ($Kind -eq 'env') { 'yml' } else { 'txt' })"
            $extra = @{}
            if ($Switch) { $extra[$Switch.TrimStart('-')] = $true }
            Export-Env -Prefix $src -Format $Format -Path $file @extra | Out-Null
            $target = Join-Path $TestDrive "envs/from-$Format$Switch"
            if ($Kind -eq 'env') { Invoke-Conda env create -p $target -f $file | Out-Null }
            else { Invoke-Conda create -p $target --file $file | Out-Null }
            Get-CondaSet $target | Should -Be $srcSet
            Test-Env -Prefix $target | Should -BeNullOrEmpty
        }

        It 'conda''s exports (env export, list --explicit --md5) are created by New-Env -File with the same packages' {
            $c = Join-Path $TestDrive 'envs/conda-export-src'
            Invoke-Conda create -p $c -c $chanUrl --override-channels 'dependent=1.0' sample_noarch_python 'python=3.99.99' | Out-Null
            $condaSet = Get-CondaSet $c
            $yml = Join-Path $TestDrive 'conda-export.yml'
            Invoke-Conda env export -p $c | Where-Object { $_ -notmatch '^(name|prefix):' } | Set-Content $yml
            $txt = Join-Path $TestDrive 'conda-explicit.txt'
            Invoke-Conda list -p $c --explicit --md5 | Set-Content $txt
            foreach ($f in $yml, $txt) {
                $t = Join-Path $TestDrive "envs/et-from-$([IO.Path]::GetExtension($f).TrimStart('.'))"
                New-Env -Prefix $t -File $f | Out-Null
                Get-EnvToolsSet $t | Should -Be $condaSet
                Get-CondaSet $t | Should -Be $condaSet
                Test-Env -Prefix $t | Should -BeNullOrEmpty
            }
        }
    }

    Context 'removing environments, and environments.txt' {
        It 'conda remove --all removes an EnvTools environment; Remove-Env removes a conda one; both keep environments.txt right' {
            $e = Join-Path $TestDrive 'envs/rm-et'
            New-Env -Prefix $e dependency -Channel $chanUrl | Out-Null
            $c = Join-Path $TestDrive 'envs/rm-conda'
            Invoke-Conda create -p $c -c $chanUrl --override-channels dependency | Out-Null
            Get-EnvsTxt | Should -Contain $e
            Get-EnvsTxt | Should -Contain $c
            (Get-Env | Where-Object Prefix -eq $c).PackageCount | Should -Be 1

            Invoke-Conda remove -p $e --all | Out-Null
            Test-Path $e | Should -BeFalse
            Get-EnvsTxt | Should -Not -Contain $e
            (Get-Env).Prefix | Should -Not -Contain $e

            Remove-Env -Prefix $c -Confirm:$false
            Test-Path $c | Should -BeFalse
            Get-EnvsTxt | Should -Not -Contain $c
            Test-Path (Join-Path $pkgs 'dependency-2.0-0/info/repodata_record.json') | Should -BeTrue -Because 'the shared cache keeps its entries'
        }
    }

    Context 'install and remove modifiers, side by side with conda' {
        It 'removes what conda remove removes (orphaned dependencies too), and with -Force what remove --force does' {
            $e = Join-Path $TestDrive 'envs/mod-remove'
            New-Env -Prefix $e dependent font-ttf-inconsolata -Channel $chanUrl | Out-Null
            function Unlinked($json) { (($json | Out-String | ConvertFrom-Json).actions.UNLINK).name | Sort-Object }
            $conda = Unlinked (Invoke-Conda remove -p $e dependent --dry-run --json --offline)
            $conda | Should -Be @('dependency', 'dependent')
            (Uninstall-EnvPackage dependent -Prefix $e -DryRun).Name | Sort-Object | Should -Be $conda
            $condaForce = Unlinked (Invoke-Conda remove -p $e dependency --force --dry-run --json --offline)
            $condaForce | Should -Be @('dependency')
            (Uninstall-EnvPackage dependency -Prefix $e -Force -DryRun).Name | Should -Be $condaForce
        }

        It '-OnlyDependencies installs and records what conda install --only-deps does' {
            $c = Join-Path $TestDrive 'envs/mod-only-conda'
            $t = Join-Path $TestDrive 'envs/mod-only-et'
            Invoke-Conda create -y -q -p $c --offline --override-channels -c $chanUrl font-ttf-inconsolata | Out-Null
            Invoke-Conda install -y -q -p $c --offline --override-channels -c $chanUrl --only-deps dependent | Out-Null
            New-Env -Prefix $t font-ttf-inconsolata -Channel $chanUrl | Out-Null
            Install-EnvPackage dependent -Prefix $t -Channel $chanUrl -OnlyDependencies | Out-Null
            Get-EnvToolsSet $t | Should -Be (Get-CondaSet $c)
            Get-EnvToolsSet $t | Should -Not -Match '^dependent='
            (Get-EnvHistory -Prefix $t -Revision -1).RequestedSpecs | Sort-Object | Should -Be ((Get-EnvHistory -Prefix $c -Revision -1).RequestedSpecs | Sort-Object)
        }
    }

    Context 'the configured subdir (CONDA_SUBDIR), side by side with conda' {
        BeforeAll {
            $script:demoUrl = [Uri]::new((Resolve-Path (Join-Path $PSScriptRoot '../../docs/demo/channel')).Path, [UriKind]::Absolute).AbsoluteUri
        }
        AfterEach { Set-TestVariable CONDA_SUBDIR $null }

        It 'searches and reports the platform conda search and conda info do' {
            $hostSubdir = (Get-EnvInfo).Platform
            foreach ($subdir in 'osx-arm64', 'win-64') {
                Set-TestVariable CONDA_SUBDIR $subdir
                $conda = (Invoke-Conda search --json --offline --override-channels -c $demoUrl numpy | Out-String | ConvertFrom-Json).numpy |
                    ForEach-Object { "$($_.version)-$($_.build)-$($_.subdir)" } | Sort-Object
                $conda | Should -Not -BeNullOrEmpty
                $conda | Should -Not -Match $hostSubdir
                Find-EnvPackage numpy -Channel $demoUrl -OverrideChannels | ForEach-Object { "$($_.Version)-$($_.Build)-$($_.Subdir)" } |
                    Sort-Object | Should -Be $conda
                $info = Invoke-Conda info --json | Out-String | ConvertFrom-Json
                (Get-EnvInfo).Platform | Should -Be $info.platform
                (Get-EnvInfo).Platform | Should -Be $subdir
            }
        }

        It 'solves for it with that platform''s virtual packages, and an explicit -Platform still wins' {
            Set-TestVariable CONDA_SUBDIR 'osx-arm64'
            $vp = Get-EnvVirtualPackage
            $vp.Name | Should -Contain '__osx'
            $vp.Name | Should -Not -Contain '__linux'
            $r = Resolve-EnvPackage numpy -Channel $demoUrl -OverrideChannels
            $r.Subdir | Where-Object { $_ -ne 'noarch' } | Sort-Object -Unique | Should -Be 'osx-arm64'
            (Find-EnvPackage numpy -Channel $demoUrl -OverrideChannels -Platform linux-64).Subdir | Sort-Object -Unique | Should -Be 'linux-64'
        }
    }
}
