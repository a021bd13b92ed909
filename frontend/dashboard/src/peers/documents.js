// The peers view's GraphQL operations.
import { gql } from '@urql/core';

const PEER = gql`
  fragment PeerFields on Peer {
    id name url fingerprint state localAdded remoteConfirmed trustWeight
    received rejected lag lastError lastEventAt createdAt
  }
`;

export const PEERS = gql`
  query Peers {
    instance { name fingerprint federationAddress }
    peers { ...PeerFields }
    tombstones(first: 10) { id objectType objectID createdAt coverage pending }
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
