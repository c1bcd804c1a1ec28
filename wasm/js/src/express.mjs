import webhookMiddleware from './express.cjs';

export { webhookMiddleware };
export default webhookMiddleware;
