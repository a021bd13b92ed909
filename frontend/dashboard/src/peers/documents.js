// The peers view's GraphQL operations.
import { gql } from '@urql/core';

const PEER = gql`
  fragment PeerFields on Peer {
    id name url fingerprint state localAdded remoteConfirmed trustWeight
    received rejected lag connected lastError lastEventAt createdAt
  }
`;

export const PEERS = gql`
  query Peers {
    instance { name fingerprint federationAddress }
    peers { ...PeerFields }
    tombstones(first: 10) { id objectType objectID createdAt coverage pending }
    sites { id name }
  }
  ${PEER}
`;

export const PAUSE_PEER = gql`
  mutation PausePeer($input: PausePeerInput!) { pausePeer(input: $input) { ...PeerFields } }
  ${PEER}
`;

export const DEFEDERATE = gql`
  mutation Defederate($input: DefederateInput!) { defederate(input: $input) { ...PeerFields } }
  ${PEER}
`;

export const LABEL_SUBSCRIPTIONS = gql`
  query LabelSubscriptions($siteID: ID!) {
    labelSubscriptions(siteID: $siteID) { siteID peerID peerName weight action quorum }
  }
`;

export const SUBSCRIBE_LABELS = gql`
  mutation SubscribeLabels($input: SubscribeLabelsInput!) {
    subscribeLabels(input: $input) { siteID peerID peerName weight action quorum }
  }
`;

export const UNSUBSCRIBE_LABELS = gql`
  mutation UnsubscribeLabels($input: UnsubscribeLabelsInput!) {
    unsubscribeLabels(input: $input) { siteID peerID }
  }
`;
