# The objects EnvTools writes: versions as the conda Version type (issue 12 item 4), pipelines that bind (item 3),
# consistent parameter names (item 5), ConvertTo-Json (item 13). Real packages in a local channel.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:chan = Join-Path $TestDrive 'channel'
    foreach ($v in '1.9', '1.2', '1.10') {
        New-TestPackage -Channel $chan -Name "ver$($v -replace '\.', '')" -Version $v -Files @{ "share/v$v.txt" = "$v`n" } | Out-Null
        New-TestPackage -Channel $chan -Name multi -Version $v -Files @{ 'share/multi.txt' = "$v`n" } | Out-Null
    }
    New-TestPackage -Channel $chan -Name libdemo -Version 1.0 -Files @{ 'lib/libdemo.txt' = "one`n" } | Out-Null
    New-TestPackage -Channel $chan -Name libdemo -Version 2.0 -Files @{ 'lib/libdemo.txt' = "two`n" } | Out-Null
    New-TestPackage -Channel $chan -Name app -Version 1.0 -Depends 'libdemo' -Files @{ 'bin/app.txt' = "app`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null
    $script:verEnv = Join-Path $TestDrive 'envs/ver'
    New-Env -Prefix $verEnv ver19 ver12 ver110 -Channel $chan | Out-Null
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'Versions on output objects' {
    It 'Get-EnvPackage sorts by conda version order and prints the version as written' {
        $p = Get-EnvPackage -Prefix $verEnv
        $p[0].Version | Should -BeOfType ([EnvTools.Conda.Version])
        ($p | Sort-Object Version | ForEach-Object { "$($_.Version)" }) | Should -Be @('1.2', '1.9', '1.10')
        ($p | Where-Object Version -gt '1.9').Name | Should -Be 'ver110'
        ($p | Format-Table Name, Version | Out-String) | Should -Match 'ver110\s+1\.10\b'
    }

    It 'Find-EnvPackage, Resolve-EnvPackage, package changes and history carry the Version type' {
        $found = Find-EnvPackage multi -Channel $chan
        ($found | Sort-Object Version | ForEach-Object { "$($_.Version)" }) | Should -Be @('1.2', '1.9', '1.10')
        (Resolve-EnvPackage multi -Channel $chan | Where-Object Name -eq multi).Version | Should -BeOfType ([EnvTools.Conda.Version])
        $prefix = Join-Path $TestDrive 'envs/changes'
        New-Env -Prefix $prefix 'multi=1.9' -Channel $chan | Out-Null
        $change = Update-EnvPackage multi -Prefix $prefix -Channel $chan
        $change.Version | Should -BeOfType ([EnvTools.Conda.Version])
        $change.OldVersion | Should -BeOfType ([EnvTools.Conda.Version])
        $change.Version -gt $change.OldVersion | Should -BeTrue
        $rev = Get-EnvHistory -Prefix $prefix | Select-Object -Last 1
        $rev.Upgraded[0].Version | Should -BeOfType ([EnvTools.Conda.Version])
        "$($rev.Upgraded[0].OldVersion) -> $($rev.Upgraded[0].Version)" | Should -Be '1.9 -> 1.10'
    }

    It 'Get-EnvVirtualPackage versions compare as versions' {
        $os = if ($IsWindows) { '__win' } else { '__unix' }
        (Get-EnvVirtualPackage | Where-Object Name -eq $os).Version | Should -BeOfType ([EnvTools.Conda.Version])
    }
}

Describe 'Parameter names' {
    It 'Get-EnvPackage takes the environment as -Name like every cmdlet (-Env and conda''s -n as aliases), the packages as -Package' {
        New-Env vernamed ver19 ver110 -Channel $chan | Out-Null
        (Get-EnvPackage -Name vernamed).Name | Should -Be @('ver110', 'ver19')
        (Get-EnvPackage -n vernamed ver19).Name | Should -Be 'ver19'
        (Get-EnvPackage -Env vernamed -Package ver1*).Name | Should -Be @('ver110', 'ver19')
        (Get-EnvPackage -p $verEnv ver12).Name | Should -Be 'ver12'
    }

    It 'the NoActiveEnvironment advice (-Name or -Prefix) works on the cmdlet that gave it' {
        $null = Get-EnvPackage -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NoActiveEnvironment,*'
        $err[0].Exception.Message | Should -Match '-Name or -Prefix'
        (Get-EnvPackage -Name $verEnv).Count | Should -Be 3
    }

    It 'every cmdlet with an environment -Name and -Prefix has conda''s -n and -p; every -Channel has -c' {
        foreach ($c in Get-Command -Module EnvTools) {
            $p = $c.Parameters
            if ($p.ContainsKey('Prefix') -and $p['Prefix'].ParameterType -ne [switch]) {
                "$($c.Name) -Prefix: $($p['Prefix'].Aliases -contains 'p')" | Should -Be "$($c.Name) -Prefix: True"
                if ($p.ContainsKey('Name')) { "$($c.Name) -Name: $($p['Name'].Aliases -contains 'n')" | Should -Be "$($c.Name) -Name: True" }
            }
            if ($p.ContainsKey('Channel')) { "$($c.Name) -Channel: $($p['Channel'].Aliases -contains 'c')" | Should -Be "$($c.Name) -Channel: True" }
        }
    }

    It 'conda''s -n, -p and -c work on the install cmdlets' {
        New-Env -n aliased -c $chan libdemo=1.0 | Out-Null
        Install-EnvPackage app -n aliased -c $chan | ForEach-Object Name | Should -Be 'app'
        (Find-EnvPackage multi -c $chan).Count | Should -Be 3
        Uninstall-EnvPackage app -p (Get-Env aliased).Prefix | ForEach-Object Name | Should -Be 'app'
    }
}

Describe 'Pipelines: every object pipes into the cmdlet a user would send it to' {
    BeforeEach {
        $script:pipeEnv = "pipe-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
        New-Env $pipeEnv 'libdemo=1.0' 'multi=1.9' -Channel $chan | Out-Null
        $script:pipePrefix = (Get-Env $pipeEnv).Prefix
    }

    It '<From> | <To>' -ForEach @(
        @{ From = 'Get-Env'; To = 'Get-EnvPackage'
           Run = { Get-Env $pipeEnv | Get-EnvPackage }
           Check = { param($out) ($out.Name | Sort-Object) | Should -Be @('libdemo', 'multi') } }
        @{ From = 'Get-EnvPackage'; To = 'Uninstall-EnvPackage'
           Run = { Get-EnvPackage multi -Name $pipeEnv | Uninstall-EnvPackage }
           Check = { param($out) "$($out.Action) $($out.Name)" | Should -Be 'Remove multi'; (Get-EnvPackage -Name $pipeEnv).Name | Should -Be 'libdemo' } }
        @{ From = 'Get-EnvPackage (two)'; To = 'Uninstall-EnvPackage (one change)'
           Run = { Get-EnvPackage -Name $pipeEnv | Uninstall-EnvPackage }
           Check = { param($out) ($out.Name | Sort-Object) | Should -Be @('libdemo', 'multi'); Get-EnvPackage -Name $pipeEnv | Should -BeNullOrEmpty
                     @(Get-EnvHistory -Name $pipeEnv).Count | Should -Be 2 } }
        @{ From = 'Get-Env | Get-EnvPackage'; To = 'Update-EnvPackage'
           Run = { Get-Env $pipeEnv | Get-EnvPackage multi | Update-EnvPackage -Channel $chan }
           Check = { param($out) "$($out.Action) $($out.Name) $($out.Version)" | Should -Be 'Update multi 1.10' } }
        @{ From = 'Get-EnvVariable'; To = 'Remove-EnvVariable'
           Run = { Set-EnvVariable @{ A = '1'; B = '2' } -Name $pipeEnv; Get-EnvVariable A -Name $pipeEnv | Remove-EnvVariable }
           Check = { param($out) (Get-EnvVariable -Name $pipeEnv).Name | Should -Be 'B' } }
        @{ From = 'Get-EnvHistory'; To = 'Restore-Env'
           Run = { Install-EnvPackage app -Name $pipeEnv -Channel $chan | Out-Null; Get-EnvHistory -Name $pipeEnv | Select-Object -First 1 | Restore-Env }
           Check = { param($out) "$($out.Action) $($out.Name)" | Should -Be 'Remove app'; (Get-EnvPackage -Name $pipeEnv).Name | Should -Not -Contain 'app' } }
        @{ From = 'Get-EnvPin'; To = 'Remove-EnvPin'
           Run = { Add-EnvPin libdemo -Name $pipeEnv; Get-EnvPin -Name $pipeEnv | Remove-EnvPin }
           Check = { param($out) Get-EnvPin -Name $pipeEnv | Should -BeNullOrEmpty } }
        @{ From = 'Get-Env'; To = 'Install-EnvPackage'
           Run = { Get-Env $pipeEnv | Install-EnvPackage app -Channel $chan }
           Check = { param($out) $out.Name | Should -Be 'app' } }
        @{ From = 'Get-Env'; To = 'Test-Env'
           Run = { Get-Env $pipeEnv | Test-Env -Quiet }
           Check = { param($out) $out | Should -BeTrue } }
        @{ From = 'Get-Env'; To = 'Get-EnvHistory'
           Run = { Get-Env $pipeEnv | Get-EnvHistory }
           Check = { param($out) $out.Revision | Should -Be 0 } }
        @{ From = 'Get-Env'; To = 'Export-Env'
           Run = { Get-Env $pipeEnv | Export-Env -Format Explicit }
           Check = { param($out) ($out -join "`n") | Should -Match 'multi-1\.9-0' } }
        @{ From = 'Find-EnvPackage'; To = 'Install-EnvPackage'
           Run = { Find-EnvPackage 'multi=1.10' -Channel $chan | Install-EnvPackage -Name $pipeEnv -Channel $chan }
           Check = { param($out) "$($out.Action) $($out.Name) $($out.Version)" | Should -Be 'Update multi 1.10'
                     (Get-EnvPackage multi -Name $pipeEnv).RequestedSpec | Should -Be 'multi==1.10=0' } }
        @{ From = 'Get-EnvPackage'; To = 'Add-EnvPin'
           Run = { Get-EnvPackage libdemo -Name $pipeEnv | Add-EnvPin }
           Check = { param($out) (Get-EnvPin -Name $pipeEnv).Spec | Should -Be 'libdemo==1.0'
                     (Get-EnvPackage libdemo -Name $pipeEnv).IsPinned | Should -BeTrue } }
        @{ From = 'Get-Env'; To = 'Remove-Env'
           Run = { Get-Env $pipeEnv | Remove-Env -Confirm:$false }
           Check = { param($out) Test-Path $pipePrefix | Should -BeFalse } }
    ) {
        $Error.Clear()
        $out = & $Run
        $Error | ForEach-Object { "$_" } | Should -BeNullOrEmpty
        & $Check $out
    }
}

Describe 'ConvertTo-Json of every output object' {
    # PowerShell writes enums as numbers and cuts objects deeper than -Depth 2 with a warning; EnvTools' objects give
    # enum names and stay within the default depth, so `| ConvertTo-Json` is a plain, complete record of what was shown.
    BeforeAll {
        $script:jsonEnv = Join-Path $TestDrive 'envs/json'
        New-Env -Prefix $jsonEnv app 'multi=1.9' -Channel $chan | Out-Null
        Add-EnvPin libdemo -Prefix $jsonEnv
        Set-EnvVariable @{ JSONVAR = '1' } -Prefix $jsonEnv | Out-Null
        function Assert-Json($objects) {
            @($objects | Where-Object { $null -ne $_ }).Count | Should -BeGreaterThan 0
            $warnings = $null
            $json = $objects | ConvertTo-Json -WarningVariable warnings -WarningAction SilentlyContinue
            $warnings | Should -BeNullOrEmpty -Because 'nothing is deeper than ConvertTo-Json''s default depth'
            $parsed = @($json | ConvertFrom-Json)
            for ($i = 0; $i -lt @($objects).Count; $i++) {
                $base = @($objects)[$i].psobject.BaseObject
                foreach ($p in $base.GetType().GetProperties()) {
                    $t = [Nullable]::GetUnderlyingType($p.PropertyType) ?? $p.PropertyType
                    if ($t.IsEnum) {
                        $value = $p.GetValue($base)
                        if ($null -eq $value) { $parsed[$i].($p.Name) | Should -BeNullOrEmpty; continue }
                        $parsed[$i].($p.Name) | Should -BeOfType ([string]) -Because "$($base.GetType().Name).$($p.Name) is an enum"
                        $parsed[$i].($p.Name) | Should -Be $value.ToString()
                    }
                }
            }
            $parsed
        }
    }

    It 'Get-EnvPackage: Source as a name, the record within the depth' {
        $j = Assert-Json (Get-EnvPackage -Prefix $jsonEnv)
        ($j | Where-Object Name -eq multi).Source | Should -Be 'Conda'
        ($j | Where-Object Name -eq multi).Depends | Should -BeNullOrEmpty
        ($j | Where-Object Name -eq app).Depends | Should -Be @('libdemo')
        ($j | Where-Object Name -eq app).Sha256 | Should -Match '^[0-9a-f]{64}$'
        (Assert-Json (Get-EnvPackage app -Prefix $jsonEnv).GetRecord()).NoArch | Should -Be 'None'
        (Get-EnvPackage app -Prefix $jsonEnv).GetPrefixRecord().Files | Should -Contain 'bin/app.txt'
    }

    It 'package changes, records, environments, history, pins, variables, dependencies, file issues, virtual packages, config, activation' {
        (Assert-Json (Update-EnvPackage multi -Prefix $jsonEnv -Channel $chan -DryRun -WarningAction SilentlyContinue 3>$null) | Select-Object -First 1).Action | Should -BeIn 'Update', 'Install'
        (Assert-Json (Uninstall-EnvPackage app -Prefix $jsonEnv -DryRun)).Action | Select-Object -Unique | Should -Be 'Remove'
        Assert-Json (Find-EnvPackage multi -Channel $chan) | Out-Null
        Assert-Json (Resolve-EnvPackage app -Channel $chan) | Out-Null
        Assert-Json (Get-Env) | Out-Null
        Assert-Json (Get-EnvHistory -Prefix $jsonEnv) | Out-Null
        (Assert-Json (Get-EnvPin -Prefix $jsonEnv)).Source | Should -Be 'File'
        Assert-Json (Get-EnvVariable -Prefix $jsonEnv) | Out-Null
        (Assert-Json (Get-EnvDependency libdemo -Prefix $jsonEnv -Dependents)).Direction | Select-Object -First 1 | Should -Be 'Dependents'
        Assert-Json (Get-EnvVirtualPackage) | Out-Null
        Assert-Json (Get-EnvConfig channels, channel_priority) | Out-Null
        Assert-Json (Get-EnvInfo) | Out-Null
        Remove-Item (Join-Path $jsonEnv 'lib/libdemo.txt')
        (Assert-Json (Test-Env -Prefix $jsonEnv)).Kind | Should -Be 'Missing'
        $frame = Enable-Env -Prefix $jsonEnv -PassThru
        try { Assert-Json $frame | Out-Null } finally { Disable-Env }
    }
}
