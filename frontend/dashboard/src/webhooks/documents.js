// The webhooks view's GraphQL operations.
import { gql } from '@urql/core';

const ENDPOINT = gql`
  fragment WebhookEndpointFields on WebhookEndpoint {
    id url description kinds enabled disabledReason disabledAt failingSince createdAt
    deliveries(first: 20) { id eventID kind state attempts lastStatus lastError lastAttemptAt nextAttemptAt deliveredAt eventAt }
  }
`;

export const WEBHOOKS = gql`
  query Webhooks($siteID: ID!) {
    webhookEndpoints(siteID: $siteID) { ...WebhookEndpointFields }
    webhookEventKinds
  }
  ${ENDPOINT}
`;

export const CREATE_WEBHOOK = gql`
  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) { secret endpoint { ...WebhookEndpointFields } }
  }
  ${ENDPOINT}
`;

export const UPDATE_WEBHOOK = gql`
  mutation UpdateWebhookEndpoint($input: UpdateWebhookEndpointInput!) {
    updateWebhookEndpoint(input: $input) { ...WebhookEndpointFields }
  }
  ${ENDPOINT}
`;

export const DELETE_WEBHOOK = gql`
  mutation DeleteWebhookEndpoint($input: DeleteWebhookEndpointInput!) {
    deleteWebhookEndpoint(input: $input) { id }
  }
`;

export const REDELIVER_WEBHOOK = gql`
  mutation RedeliverWebhook($input: RedeliverWebhookInput!) {
    redeliverWebhook(input: $input) { id state attempts nextAttemptAt lastError }
  }
`;
