# Get-EnvDependency: what an installed package needs and what needs it, one level or recursively, as objects that
# print as a tree; missing dependencies (an environment left inconsistent by Uninstall-EnvPackage -Force) are marked.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force
    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $chan = Join-Path $TestDrive 'channel'
    # app -> libdemo -> zlib; tool -> zlib, __unix; solo alone
    New-TestPackage -Channel $chan -Name zlib -Version 1.3.1 | Out-Null
    New-TestPackage -Channel $chan -Name libdemo -Version 2.0 -Depends 'zlib >=1.2' | Out-Null
    New-TestPackage -Channel $chan -Name app -Version 2.0 -Depends 'libdemo >=2' | Out-Null
    New-TestPackage -Channel $chan -Name tool -Version 1.0 -Depends 'zlib', '__unix' | Out-Null
    New-TestPackage -Channel $chan -Name solo -Version 0.1 | Out-Null
    Update-TestChannelIndex $chan | Out-Null
    $vp = if ($IsWindows) { @() } else { @('__unix=0') }
    $script:prefix = (New-Env deps app tool solo -Channel $chan -VirtualPackage $vp).Prefix
    function Lines($nodes) { $nodes | ForEach-Object { "$($_.Depth) $($_.Name) $($_.Version) [$($_.Spec)]$(if ($_.IsRepeated) { ' repeated' })$(if ($_.IsMissing) { ' missing' })$(if ($_.IsVirtual) { ' virtual' })" } }
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'Get-EnvDependency' {
    It 'lists what a package needs, one level' {
        $nodes = Get-EnvDependency app -Name deps
        $nodes[0].PSObject.TypeNames[0] | Should -Be 'EnvTools.DependencyNode'
        Lines $nodes | Should -Be @('0 app 2.0 []', '1 libdemo 2.0 [libdemo >=2]')
        $nodes[1].Parent | Should -Be 'app'
    }

    It 'walks the whole tree with -Recurse, marking virtual packages' {
        Lines (Get-EnvDependency app -Name deps -Recurse) | Should -Be @('0 app 2.0 []', '1 libdemo 2.0 [libdemo >=2]', '2 zlib 1.3.1 [zlib >=1.2]')
        if (-not $IsWindows) {
            Lines (Get-EnvDependency tool -Prefix $prefix -Recurse) | Should -Be @('0 tool 1.0 []', '1 zlib 1.3.1 [zlib]', '1 __unix  [__unix] virtual')
        }
    }

    It 'answers "why is it installed" with -Dependents, recursively up to the requested packages' {
        Lines (Get-EnvDependency zlib -Name deps -Dependents) | Should -Be @('0 zlib 1.3.1 []', '1 libdemo 2.0 [zlib >=1.2]', '1 tool 1.0 [zlib]')
        $tree = Get-EnvDependency zlib -Name deps -Dependents -Recurse
        Lines $tree | Should -Be @('0 zlib 1.3.1 []', '1 libdemo 2.0 [zlib >=1.2]', '2 app 2.0 [libdemo >=2]', '1 tool 1.0 [zlib]')
        $tree[2].Path | Should -Be @('zlib', 'libdemo', 'app')
        Get-EnvDependency solo -Name deps -Dependents | Should -HaveCount 1
    }

    It 'prints as a tree' {
        $text = (Get-EnvDependency app -Name deps -Recurse | Out-String -Width 200) -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ }
        $text | Should -Contain ($text | Where-Object { $_ -match '^app\s+2\.0' })
        ($text | Where-Object { $_ -match "^$([char]0x2514)$([char]0x2500) libdemo\s+2\.0\s+0\s+libdemo >=2" }) | Should -Not -BeNullOrEmpty
        ($text | Where-Object { $_ -match "^   $([char]0x2514)$([char]0x2500) zlib\s+1\.3\.1" }) | Should -Not -BeNullOrEmpty
    }

    It 'marks a dependency the environment lacks (after Uninstall-EnvPackage -Force)' {
        $p = (New-Env deps-broken app -Channel $chan).Prefix
        Uninstall-EnvPackage libdemo -Prefix $p -Force | Out-Null
        Lines (Get-EnvDependency app -Prefix $p -Recurse) | Should -Be @('0 app 2.0 []', '1 libdemo  [libdemo >=2] missing')
    }

    It 'binds the environment from Get-Env and completes installed package names' {
        (Get-Env deps | Get-EnvDependency libdemo).Name | Should -Be @('libdemo', 'zlib')
        $line = 'Get-EnvDependency -Name deps li'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('libdemo')
    }

    It 'names close installed packages for one that is not installed' {
        Get-EnvDependency libdemoo -Name deps -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PackageNotInstalled,*'
        $err[0].Exception.Message | Should -Match 'Did you mean libdemo\?'
    }
}
