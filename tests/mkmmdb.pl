#!/usr/bin/perl
# SPDX-License-Identifier: BSD-3-Clause
# mkmmdb.pl — writes the two tiny MaxMind DB files tests/report.sh uses
# (GeoLite2-Country and GeoLite2-ASN layouts) with Debian's
# libmaxmind-db-writer-perl. Usage: mkmmdb.pl COUNTRY.mmdb ASN.mmdb
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($country_path, $asn_path) = @ARGV;
die "usage: $0 COUNTRY.mmdb ASN.mmdb\n" unless $asn_path;

sub write_tree {
	my ($path, $type, $types, $entries) = @_;
	my $tree = MaxMind::DB::Writer::Tree->new(
		ip_version => 4,
		record_size => 24,
		# the test networks are RFC 5737 documentation ranges, which the
		# writer would otherwise drop as reserved
		remove_reserved_networks => 0,
		database_type => $type,
		languages => ['en'],
		description => { en => "wireaudit test $type" },
		map_key_type_callback => sub { $types->{ $_[0] } },
	);
	$tree->insert_network(@$_) for @$entries;
	open my $fh, '>:raw', $path or die "$path: $!\n";
	$tree->write_tree($fh);
	close $fh or die "$path: $!\n";
}

# 198.51.100.0/24 and 203.0.113.0/24 are RFC 5737 documentation ranges.
write_tree($country_path, 'GeoLite2-Country',
	{ country => 'map', iso_code => 'utf8_string', names => 'map', en => 'utf8_string' },
	[ [ '198.51.100.0/24', { country => { iso_code => 'DE', names => { en => 'Germany' } } } ],
	  [ '203.0.113.0/24', { country => { iso_code => 'NL', names => { en => 'Netherlands' } } } ] ]);
write_tree($asn_path, 'GeoLite2-ASN',
	{ autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string' },
	[ [ '198.51.100.0/24', { autonomous_system_number => 64500,
				  autonomous_system_organization => 'Example Transit <AS>' } ] ]);
