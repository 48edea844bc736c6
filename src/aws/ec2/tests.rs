//! The three answers read from EC2's XML (shaped after the EC2 API
//! reference's response examples: sets of `<item>`, nested sets inside
//! items), and the default-network look-up over a loopback server.

use std::fmt::Write as _;

use super::*;
use crate::aws::ErrorKind;
use crate::aws::query::tests::{Answer, Loopback, config};
use crate::aws::testing::block;

const NS: &str = "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"";

fn vpcs_answer() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse {NS}>
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    <vpcSet>
        <item>
            <vpcId>vpc-0e9801d129EXAMPLE</vpcId>
            <ownerId>111122223333</ownerId>
            <state>available</state>
            <cidrBlock>172.31.0.0/16</cidrBlock>
            <cidrBlockAssociationSet>
                <item>
                    <cidrBlock>172.31.0.0/16</cidrBlock>
                    <associationId>vpc-cidr-assoc-062c64cfafEXAMPLE</associationId>
                    <cidrBlockState><state>associated</state></cidrBlockState>
                </item>
            </cidrBlockAssociationSet>
            <dhcpOptionsId>dopt-19edf471</dhcpOptionsId>
            <tagSet>
                <item><key>vpcId</key><value>not-this-one</value></item>
            </tagSet>
            <instanceTenancy>default</instanceTenancy>
            <isDefault>true</isDefault>
        </item>
    </vpcSet>
</DescribeVpcsResponse>"#
    )
}

fn subnets_answer(subnets: &[(&str, &str)], next: Option<&str>) -> String {
    let mut items = String::new();
    for (id, zone) in subnets {
        write!(
            items,
            "<item><subnetId>{id}</subnetId><subnetArn>arn:aws:ec2:us-east-1:111122223333:subnet/{id}</subnetArn>\
             <state>available</state><vpcId>vpc-0e9801d129EXAMPLE</vpcId><cidrBlock>172.31.16.0/20</cidrBlock>\
             <ipv6CidrBlockAssociationSet/><availableIpAddressCount>4091</availableIpAddressCount>\
             <availabilityZone>{zone}</availabilityZone><availabilityZoneId>use1-az2</availabilityZoneId>\
             <defaultForAz>true</defaultForAz><mapPublicIpOnLaunch>true</mapPublicIpOnLaunch>\
             <tagSet><item><key>subnetId</key><value>subnet-tag</value></item></tagSet></item>"
        )
        .expect("a String takes any text");
    }
    let next = next.map_or(String::new(), |t| format!("<nextToken>{t}</nextToken>"));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeSubnetsResponse {NS}>\
         <requestId>r-1</requestId><subnetSet>{items}</subnetSet>{next}</DescribeSubnetsResponse>"
    )
}

fn eni_answer(association: &str) -> String {
    format!(
        r"<DescribeNetworkInterfacesResponse {NS}>
    <requestId>fc45294c-006b-457b-bab9-012f5EXAMPLE</requestId>
    <networkInterfaceSet>
        <item>
            <networkInterfaceId>eni-0f782f2b6cEXAMPLE</networkInterfaceId>
            <subnetId>subnet-15ad9e5e</subnetId>
            <vpcId>vpc-0e9801d129EXAMPLE</vpcId>
            <availabilityZone>us-east-1a</availabilityZone>
            <description/>
            <ownerId>111122223333</ownerId>
            <requesterManaged>false</requesterManaged>
            <status>in-use</status>
            <macAddress>02:68:c8:6f:2d:a3</macAddress>
            <privateIpAddress>10.0.1.17</privateIpAddress>
            <privateDnsName>ip-10-0-1-17.ec2.internal</privateDnsName>
            <sourceDestCheck>true</sourceDestCheck>
            <groupSet>
                <item><groupId>sg-0b4b9d7e</groupId><groupName>default</groupName></item>
            </groupSet>
            <attachment>
                <attachmentId>eni-attach-0a7EXAMPLE</attachmentId>
                <instanceOwnerId>111122223333</instanceOwnerId>
                <deviceIndex>1</deviceIndex>
                <status>attached</status>
            </attachment>
            {association}
            <tagSet/>
            <privateIpAddressesSet>
                <item>
                    <privateIpAddress>10.0.1.17</privateIpAddress>
                    <primary>true</primary>
                    <association><publicIp>198.51.100.99</publicIp></association>
                </item>
            </privateIpAddressesSet>
            <ipv6AddressesSet/>
            <interfaceType>interface</interfaceType>
        </item>
    </networkInterfaceSet>
</DescribeNetworkInterfacesResponse>"
    )
}

#[test]
fn the_vpc_id_is_read_and_nested_items_are_not_vpcs() {
    assert_eq!(
        vpc_ids(&vpcs_answer(), "DescribeVpcs"),
        Ok(vec!["vpc-0e9801d129EXAMPLE".to_owned()])
    );
    let none = format!(
        "<DescribeVpcsResponse {NS}><requestId>r</requestId><vpcSet/></DescribeVpcsResponse>"
    );
    assert_eq!(vpc_ids(&none, "DescribeVpcs"), Ok(vec![]));
}

#[test]
fn subnets_are_read_with_their_zones() {
    let xml = subnets_answer(
        &[("subnet-1", "us-east-1a"), ("subnet-2", "us-east-1b")],
        Some("t"),
    );
    assert_eq!(
        subnets(&xml, "DescribeSubnets"),
        Ok(vec![
            ("us-east-1a".to_owned(), "subnet-1".to_owned()),
            ("us-east-1b".to_owned(), "subnet-2".to_owned()),
        ])
    );
}

#[test]
fn the_public_ip_is_the_interface_association() {
    let with = eni_answer(
        "<association><publicIp>203.0.113.7</publicIp><publicDnsName>ec2-203-0-113-7.compute-1.amazonaws.com</publicDnsName><ipOwnerId>amazon</ipOwnerId></association>",
    );
    assert_eq!(
        public_ips(&with, "DescribeNetworkInterfaces"),
        Ok(vec![Some("203.0.113.7".to_owned())])
    );
    // Without the interface's own association there is no public IP (the
    // private address's association inside the item is not read).
    assert_eq!(
        public_ips(&eni_answer(""), "DescribeNetworkInterfaces"),
        Ok(vec![None])
    );
}

#[test]
fn an_answer_of_another_shape_is_an_error() {
    let e = vpc_ids(&eni_answer(""), "DescribeVpcs").expect_err("wrong root");
    assert!(
        e.contains("<DescribeNetworkInterfacesResponse>, not <DescribeVpcsResponse>"),
        "{e}"
    );
    assert!(vpc_ids("<DescribeVpcsResponse><vpcSet><item>", "DescribeVpcs").is_err());
    assert!(subnets("plain text", "DescribeSubnets").is_err());
}

/// The default network found through a server giving these answers.
fn network(answers: Vec<String>) -> (Loopback, ApiResult<DefaultNetwork>) {
    let server = Loopback::answering(answers.into_iter().map(|a| Answer::Http(200, a)).collect());
    let found = block(Ec2::new(&config(&server.url)).default_network());
    (server, found)
}

#[test]
fn the_default_network_reads_every_page_of_subnets() {
    let (server, found) = network(vec![
        vpcs_answer(),
        subnets_answer(
            &[("subnet-c1", "us-east-1c"), ("subnet-a2", "us-east-1a")],
            Some("more"),
        ),
        subnets_answer(
            &[("subnet-a1", "us-east-1a"), ("subnet-b1", "us-east-1b")],
            None,
        ),
    ]);
    assert_eq!(
        found,
        Ok(DefaultNetwork {
            vpc: "vpc-0e9801d129EXAMPLE".to_owned(),
            subnets: ["subnet-a1".to_owned(), "subnet-b1".to_owned()],
        })
    );
    let seen = server.seen();
    assert_eq!(
        seen[1].body,
        "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-0e9801d129EXAMPLE"
    );
    assert!(
        seen[2].body.ends_with("&NextToken=more"),
        "{}",
        seen[2].body
    );
}

#[test]
fn no_default_vpc_and_one_zone_are_explained() {
    let none = format!("<DescribeVpcsResponse {NS}><vpcSet/></DescribeVpcsResponse>");
    let e = network(vec![none]).1.expect_err("no VPC");
    assert_eq!(e.code, "NoDefaultVpc");
    assert!(e.message.contains("x-aws-vpc"), "{e}");
    let one_zone = subnets_answer(
        &[("subnet-1", "us-east-1a"), ("subnet-2", "us-east-1a")],
        None,
    );
    let e = network(vec![vpcs_answer(), one_zone])
        .1
        .expect_err("one zone");
    assert_eq!(e.code, "NoSubnets");
}

#[test]
fn a_task_public_ip_and_a_missing_interface() {
    let server = Loopback::answering(vec![
        Answer::Http(
            200,
            eni_answer("<association><publicIp>203.0.113.7</publicIp></association>"),
        ),
        Answer::Http(
            400,
            "<Response><Errors><Error><Code>InvalidNetworkInterfaceID.NotFound</Code><Message>The networkInterface ID 'eni-0000' does not exist</Message></Error></Errors><RequestID>x</RequestID></Response>".to_owned(),
        ),
    ]);
    let ec2 = Ec2::new(&config(&server.url));
    assert_eq!(
        block(ec2.public_ip("eni-0f782f2b6cEXAMPLE")),
        Ok(Some("203.0.113.7".to_owned()))
    );
    assert_eq!(
        server.seen()[0].body,
        "Action=DescribeNetworkInterfaces&Version=2016-11-15&NetworkInterfaceId.1=eni-0f782f2b6cEXAMPLE"
    );
    let e = block(ec2.public_ip("eni-0000")).expect_err("not found");
    assert_eq!(e.kind, ErrorKind::NotFound);
}
