# Publish-EnvChannel end to end: a channel of real packages (PackageBuilder, ChannelIndexer) mirrored into folders, then
# environments created from the mirror with New-Env; -WhatIf, re-runs, subsets, -Summary, JSON output and errors.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    $script:modulePath = (Resolve-Path $modulePath).Path
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:placeholder = Get-TestPlaceholder
    $script:sub = [EnvTools.Conda.Platform]::Current.Name
    $script:chan = Join-Path $TestDrive 'channel'
    New-TestPackage -Channel $chan -Name libdemo -Version 1.0 -Files @{ 'share/libdemo/config.txt' = "prefix=$placeholder`n" } | Out-Null
    New-TestPackage -Channel $chan -Name libdemo -Version 2.0 -Files @{ 'share/libdemo/config.txt' = "v2 prefix=$placeholder`n" } | Out-Null
    New-TestPackage -Channel $chan -Name app -Version 1.0 -Depends 'libdemo >=2', 'docs' -Files @{ 'share/app/app.txt' = "app`n" } | Out-Null
    New-TestPackage -Channel $chan -Name other -Version 1.0 -Format TarBz2 -Files @{ 'share/other/other.txt' = "other`n" } | Out-Null
    New-TestPackage -Channel $chan -Name docs -Version 3.0 -Noarch generic -Files @{ 'share/docs/readme.txt' = "docs`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null

    function Get-Archives([string] $Channel) {
        Get-ChildItem -LiteralPath $Channel -Recurse -File | Where-Object { $_.Name -like '*.conda' -or $_.Name -like '*.tar.bz2' } |
            ForEach-Object { [IO.Path]::GetRelativePath($Channel, $_.FullName).Replace('\', '/') } | Sort-Object
    }

    # what a command writes straight to the host (-WhatIf's lines), from a child pwsh with the same environment
    function Invoke-Child([string] $Command) {
        $pwsh = (Get-Process -Id $PID).Path
        $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        & $pwsh @pwshArgs -NoProfile -NonInteractive -Command "Import-Module '$modulePath'; $Command" 2>&1 | ForEach-Object { "$_" }
    }
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'Publish-EnvChannel' {
    It 'copies a channel into a folder that New-Env installs from, giving the same environment as the source' {
        $mirror = Join-Path $TestDrive 'mirror-all'
        $out = Publish-EnvChannel -Source $chan -Destination $mirror
        $out | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'EnvTools.PublishedPackage' }
        @($out).Count | Should -Be 5
        $out.Action | Sort-Object -Unique | Should -Be 'Copied'
        ($out | Measure-Object Bytes -Sum).Sum | Should -Be ((Get-Archives $chan | ForEach-Object { (Get-Item (Join-Path $chan $_)).Length } | Measure-Object -Sum).Sum)
        Get-Archives $mirror | Should -Be (Get-Archives $chan)
        foreach ($a in Get-Archives $chan) {
            (Get-FileHash (Join-Path $mirror $a)).Hash | Should -Be (Get-FileHash (Join-Path $chan $a)).Hash
        }
        foreach ($s in $sub, 'noarch') {
            Test-Path (Join-Path $mirror "$s/repodata.json.zst") | Should -BeTrue
            (Get-FileHash (Join-Path $mirror "$s/repodata.json")).Hash | Should -Be (Get-FileHash (Join-Path $chan "$s/repodata.json")).Hash
        }

        $fromSource = Join-Path $TestDrive 'envs/from-source'
        New-Env -Prefix $fromSource app -Channel $chan -OverrideChannels | Out-Null
        $pkgs = $env:CONDA_PKGS_DIRS
        try {
            $env:CONDA_PKGS_DIRS = Join-Path $TestDrive 'pkgs-mirror'   # its own cache: the mirror's archives are installed
            $fromMirror = Join-Path $TestDrive 'envs/from-mirror'
            New-Env -Prefix $fromMirror app -Channel $mirror -OverrideChannels | Out-Null
        }
        finally { $env:CONDA_PKGS_DIRS = $pkgs }
        "$((Get-EnvPackage -Prefix $fromMirror -Package libdemo).Version)" | Should -Be '2.0'
        (Get-EnvPackage -Prefix $fromMirror).Name | Sort-Object | Should -Be @('app', 'docs', 'libdemo')
        Get-EnvPackage -Prefix $fromMirror | ForEach-Object { $_.GetRecord().Url | Should -BeLike "$([uri]::new($mirror).AbsoluteUri)/*" }
        Get-Content (Join-Path $fromMirror 'share/libdemo/config.txt') -Raw | Should -Be "v2 prefix=$(Get-TextPrefix $fromMirror)`n"
        # every file but the prefix-rewritten one (each environment has its own prefix) and conda-meta (channel URLs)
        $src = Get-TreeDigest $fromSource -Exclude 'conda-meta*', 'share?libdemo?config.txt'   # ?: / or \ (Windows)
        Get-TreeDigest $fromMirror -Exclude 'conda-meta*', 'share?libdemo?config.txt' | Should -Be $src
    }

    It '-WhatIf lists what it would copy and write, and writes nothing' {
        $mirror = Join-Path $TestDrive 'mirror-whatif'
        $lines = @(Invoke-Child "Publish-EnvChannel -Source '$chan' -Destination '$mirror' -WhatIf; 'after'")
        Test-Path $mirror | Should -BeFalse
        $lines[-1] | Should -Be 'after'
        # -WhatIf lines reach a redirected stdout from the host on Linux; the Windows console host (the lane runs under
        # Wine) keeps them to itself
        if ($IsWindows) { return }
        $copies = $lines | Where-Object { $_ -like 'What if: Performing the operation "Copy package"*' }
        @($copies).Count | Should -Be 5
        $copies | Should -Contain "What if: Performing the operation `"Copy package`" on target `"$sub/app-1.0-0.conda ($('{0:N0}' -f (Get-Item (Join-Path $chan "$sub/app-1.0-0.conda")).Length) bytes) to $mirror`"."
        $lines | Should -Contain "What if: Performing the operation `"Write repodata`" on target `"$mirror/noarch/repodata.json (and repodata.json.zst)`"."
        @($lines | Where-Object { $_ -like 'What if:*' }).Count | Should -Be 7
    }

    It 'reports every package Skipped on a re-run and rewrites nothing' {
        $mirror = Join-Path $TestDrive 'mirror-rerun'
        Publish-EnvChannel $chan $mirror | Out-Null
        $files = Get-ChildItem -LiteralPath $mirror -Recurse -File
        $files | ForEach-Object { $_.LastWriteTimeUtc = [datetime]::new(2001, 1, 1, 0, 0, 0, [DateTimeKind]::Utc) }

        $again = Publish-EnvChannel $chan $mirror
        @($again).Count | Should -Be 5
        $again.Action | Sort-Object -Unique | Should -Be 'Skipped'
        ($again | Measure-Object Bytes -Sum).Sum | Should -Be 0
        Get-ChildItem -LiteralPath $mirror -Recurse -File | ForEach-Object { $_.LastWriteTimeUtc | Should -Be ([datetime]::new(2001, 1, 1, 0, 0, 0, [DateTimeKind]::Utc)) }
        $summary = Publish-EnvChannel $chan $mirror -Summary
        $summary.PSObject.TypeNames[0] | Should -Be 'EnvTools.PublishSummary'
        ($summary.Copied, $summary.Skipped, $summary.Failed, $summary.Bytes) | Should -Be @(0, 5, 0, 0)
        $summary.RepodataUnchanged | Should -Be @($sub, 'noarch')
    }

    It 'publishes a subset with its dependencies, adds to it, and its objects pipe and convert to JSON' {
        $mirror = Join-Path $TestDrive 'mirror-subset'
        $out = Publish-EnvChannel $chan $mirror -Spec app -WithDependencies
        $out.FileName | Sort-Object | Should -Be @('app-1.0-0.conda', 'docs-3.0-0.conda', 'libdemo-2.0-0.conda')
        Get-Archives $mirror | Sort-Object | Should -Be (@("$sub/app-1.0-0.conda", "$sub/libdemo-2.0-0.conda", 'noarch/docs-3.0-0.conda') | Sort-Object)

        $json = Publish-EnvChannel $chan $mirror -Spec 'other' | ConvertTo-Json -WarningVariable depth 3>$null | ConvertFrom-Json
        $depth | Should -BeNullOrEmpty
        $json.Action | Should -Be 'Copied'
        $json.Name | Should -Be 'other'
        $json.Version | Should -Be '1.0'
        $json.Subdir | Should -Be $sub
        $json.Bytes | Should -Be (Get-Item (Join-Path $chan "$sub/other-1.0-0.tar.bz2")).Length
        (Publish-EnvChannel $chan $mirror -Spec app -Summary | ConvertTo-Json -WarningVariable depth2 3>$null | ConvertFrom-Json).Skipped | Should -Be 1
        $depth2 | Should -BeNullOrEmpty
        (Find-EnvPackage '*' -Channel $mirror -OverrideChannels).Name | Sort-Object -Unique | Should -Be @('app', 'docs', 'libdemo', 'other')

        # objects pipe: the copies of one publish, by name
        (Publish-EnvChannel $chan $mirror -Spec 'libdemo' | Where-Object Action -eq Copied | Select-Object -ExpandProperty Version) | Should -Be '1.0'
    }

    It 'refuses a corrupted archive with an error naming it, and publishes the rest' {
        $bad = Join-Path $TestDrive 'channel-bad'
        Copy-Item -Recurse $chan $bad
        $file = Join-Path $bad "$sub/libdemo-2.0-0.conda"
        $bytes = [IO.File]::ReadAllBytes($file)
        $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 0x5A
        [IO.File]::WriteAllBytes($file, $bytes)
        $mirror = Join-Path $TestDrive 'mirror-bad'
        $out = Publish-EnvChannel $bad $mirror -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ChecksumMismatch*'
        $errs[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $errs[0].TargetObject | Should -Be "$sub/libdemo-2.0-0.conda"
        $errs[0].Exception.Message | Should -BeLike '*libdemo-2.0-0.conda*'
        @($out).Count | Should -Be 4
        Test-Path (Join-Path $mirror "$sub/libdemo-2.0-0.conda") | Should -BeFalse
        (Find-EnvPackage libdemo -Channel $mirror -OverrideChannels).Version | Should -Be '1.0'
    }

    It 'reports a destination it cannot write, and a spec the source lacks, as typed errors' {
        $null = Publish-EnvChannel $chan 'https://user:hunter2@example.invalid/chan' -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPublishDestination*'
        "$($e1[0])" | Should -Not -BeLike '*hunter2*'

        $file = Join-Path $TestDrive 'a-file'
        Set-Content $file 'x'
        $null = Publish-EnvChannel $chan (Join-Path $file 'mirror') -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'PublishDestinationUnavailable*'

        $null = Publish-EnvChannel $chan (Join-Path $TestDrive 'mirror-none') -Spec nosuch -ErrorVariable e3 -ErrorAction SilentlyContinue
        $e3[0].FullyQualifiedErrorId | Should -BeLike 'PackagesNotFound*'
        Test-Path (Join-Path $TestDrive 'mirror-none') | Should -BeFalse
    }
}
